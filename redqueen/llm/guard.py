"""When to give up on an endpoint: too many failed requests in a row, or too large a share of
the recent ones (each request counted once, after its retries)."""
from __future__ import annotations

from collections import deque

DEFAULT_CONSECUTIVE = 10
DEFAULT_WINDOW = 50
DEFAULT_RATE = 0.8


class FailureGuard:
    """`max_consecutive` failed requests in a row, or a failure share of at least `max_rate` over
    the last `window` requests (once that many were made), trip the guard; 0 disables a limit."""

    def __init__(self, max_consecutive: int = DEFAULT_CONSECUTIVE, window: int = DEFAULT_WINDOW,
                 max_rate: float = DEFAULT_RATE):
        self.max_consecutive, self.window, self.max_rate = max_consecutive, window, max_rate
        self.consecutive = 0
        self.recent: deque[bool] = deque(maxlen=window or None)
        self.tripped: str | None = None

    def record(self, failed: bool, error: str | None = None) -> str | None:
        """Count one finished request; the reason to stop once the guard has tripped, else None."""
        self.consecutive = self.consecutive + 1 if failed else 0
        self.recent.append(failed)
        if self.tripped is None and failed:
            last = f"; last error: {error}" if error else ""
            if self.max_consecutive and self.consecutive >= self.max_consecutive:
                self.tripped = f"{self.consecutive} language-model requests failed in a row{last}"
            elif self.window and self.max_rate and len(self.recent) == self.window \
                    and sum(self.recent) >= self.max_rate * self.window:
                self.tripped = (f"{sum(self.recent)} of the last {self.window} language-model requests "
                                f"failed{last}")
        return self.tripped
