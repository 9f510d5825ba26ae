"""The failure guard's two limits, request by request."""
from redqueen.llm.guard import FailureGuard


def test_consecutive_failures_trip_the_guard_and_a_success_resets_the_count():
    guard = FailureGuard(max_consecutive=3, window=0)
    for failed in (True, True, False, True, True):
        assert guard.record(failed, "HTTP 503") is None
    assert guard.record(True, "HTTP 503: busy") == \
        "3 language-model requests failed in a row; last error: HTTP 503: busy"
    assert guard.record(False) is not None          # once tripped, it stays tripped


def test_the_failure_rate_counts_only_a_full_window():
    guard = FailureGuard(max_consecutive=0, window=4, max_rate=0.75)
    assert [guard.record(f) for f in (True, False, True)] == [None, None, None]     # window not full yet
    assert guard.record(True, "timeout") == "3 of the last 4 language-model requests failed; last error: timeout"
    calm = FailureGuard(max_consecutive=0, window=4, max_rate=0.75)
    assert all(calm.record(f) is None for f in (True, False, True, False) * 5)      # 50%: below the rate
