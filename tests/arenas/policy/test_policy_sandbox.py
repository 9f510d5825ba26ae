"""Hostile policies in real worker processes under real limits: each attack is rejected or
contained, the fault is pinned on the side that caused it, and the rest of the run is unaffected."""
import json
import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from arenas.ipd.arena import IPDArena
from arenas.policy.pool import _death_reason
from arenas.policy.sandbox import CompileError, Limits, compile_policy
from policy_helpers import ipd_source, tron_source
from redqueen.arena import ProgramError

REPO = Path(__file__).resolve().parents[3]
IPD_PROGRAMS = REPO / "arenas" / "ipd" / "programs"
SEEDS = [0, 1, 2]
LATE = "turn > 100"          # faults after the 50-turn smoke game, so that parsing accepts them


def load(arena, name):
    path = IPD_PROGRAMS / f"{name}.py"
    return arena.parse(path.read_text(), origin=str(path))


def parse(arena, body, source=ipd_source):
    return arena.parse(source(body), origin="attack")


# ---- the second wall: compilation without the whitelist -----------------------------------------
@pytest.mark.parametrize("expression", [
    "len(open('/etc/hostname').read())", "__import__('os').getpid()", "getattr(my_moves, '__class__')",
    "type(my_moves)", "len(globals())", "eval('1')", "len('{0.__class__}'.format(my_moves))",
])
def test_compilation_alone_refuses_escapes(expression):
    """Even code that skipped the AST whitelist cannot escape: nopython mode has no Python objects."""
    from arenas.ipd.game import signature
    with pytest.raises(CompileError):
        compile_policy(f"def policy(my_moves, their_moves, turn):\n    return {expression}\n", "policy", signature())


def test_module_code_runs_without_import_machinery():
    from arenas.ipd.game import signature
    with pytest.raises(CompileError):
        compile_policy("import os\ndef policy(my_moves, their_moves, turn):\n    return 0\n", "policy", signature())


# ---- tampering with the game state ------------------------------------------------------------
def test_writing_into_the_histories_changes_nothing(ipd):
    tit_for_tat, always_defect = load(ipd, "tit_for_tat"), load(ipd, "always_defect")
    tamperer = parse(ipd, """
        their_moves[:] = 0       # try to erase my defections from what the opponent sees
        my_moves[:] = 0
        return 1
    """)
    plain = ipd.duel(always_defect, [tit_for_tat], SEEDS)
    tampered = ipd.duel(tamperer, [tit_for_tat], SEEDS)
    # From the rules: T once, then P for the remaining 199 turns; tit for tat gets S then P.
    assert tampered.fitness_a[0] == pytest.approx((5 + 199 * 1) / 200)
    assert tampered.fitness_b[0] == pytest.approx((0 + 199 * 1) / 200)
    assert np.array_equal(plain.fitness_a, tampered.fitness_a)
    assert np.array_equal(plain.fitness_b, tampered.fitness_b)


def test_out_of_bounds_writes_are_caught_not_executed(ipd):
    tit_for_tat = load(ipd, "tit_for_tat")
    writer = parse(ipd, f"""
        if {LATE}:
            their_moves[turn + 1000] = 0
        return 1
    """)
    results = ipd.duel(writer, [tit_for_tat], SEEDS)
    assert results.fitness_a[0] == 0.0 and results.fitness_b[0] == 5.0     # forfeits: S for it, T for them
    faults = results.details["faults"]
    assert {f["side"] for f in faults} == {"a"}
    assert all("IndexError" in f["reason"] for f in faults)


def test_tron_grid_is_a_copy(tron):
    first_safe_body = """
        rows = np.array([-1, 0, 1, 0])
        cols = np.array([0, 1, 0, -1])
        for d in range(4):
            if grid[me_row + rows[d], me_col + cols[d]] == 0:
                move = d
                grid[:, :] = 0                       # wipe every wall and trail...
                grid[opp_row - 1:opp_row + 2, opp_col - 1:opp_col + 2] = 1   # ...and wall the opponent in
                return move
        return 0
    """
    honest = parse(tron, first_safe_body.replace("grid[:, :] = 0", "pass").replace(
        "grid[opp_row - 1:opp_row + 2, opp_col - 1:opp_col + 2] = 1", "pass"), tron_source)
    vandal = parse(tron, first_safe_body, tron_source)
    # The opponent checks every turn that it sees the true board from its own side.
    checker = parse(tron, """
        if grid[me_row, me_col] != 2 or grid[opp_row, opp_col] != 3:
            return 9
        if grid[0, :].min() != 1 or grid[-1, :].min() != 1 or grid[:, 0].min() != 1 or grid[:, -1].min() != 1:
            return 9
        for d in range(4):
            r = me_row + (d == 2) - (d == 0)
            c = me_col + (d == 1) - (d == 3)
            if grid[r, c] == 0:
                return d
        return 0
    """, tron_source)
    seeds = list(range(8))
    plain, vandalised = tron.duel(honest, [checker], seeds), tron.duel(vandal, [checker], seeds)
    assert not plain.details and not vandalised.details       # no faults: the checker saw the truth
    assert np.array_equal(plain.fitness_a, vandalised.fitness_a)
    assert np.array_equal(plain.wins, vandalised.wins)


# ---- changing the dynamics ----------------------------------------------------------------------
def test_drawing_random_numbers_does_not_move_the_noise(noisy_ipd):
    """Noise comes from the game loop's own generator, not the stream policies can draw from."""
    tit_for_tat, always_defect = load(noisy_ipd, "tit_for_tat"), load(noisy_ipd, "always_defect")
    drawer = parse(noisy_ipd, """
        total = 0.0
        for i in range(1000):
            total += np.random.random()
        return 1 if total > -1.0 else 0
    """)
    seeds = list(range(6))
    plain, drawing = noisy_ipd.duel(always_defect, [tit_for_tat], seeds), noisy_ipd.duel(drawer, [tit_for_tat], seeds)
    assert np.array_equal(plain.fitness_a, drawing.fitness_a)
    assert np.array_equal(plain.fitness_b, drawing.fitness_b)


# ---- tampering with the evaluator: what the loop gets back ----------------------------------------
@pytest.mark.parametrize("value, shown", [("7", "returned 7"), ("-1", "returned -1")])
def test_invalid_moves_forfeit(ipd, value, shown):
    cheat = parse(ipd, f"""
        if {LATE}:
            return {value}
        return 0
    """)
    results = ipd.duel(load(ipd, "always_cooperate"), [cheat], SEEDS)
    assert results.fitness_a[0] == 5.0 and results.fitness_b[0] == 0.0
    assert all(f["side"] == "b" and f["reason"].startswith(shown) for f in results.details["faults"])


def test_faults_reach_the_evaluation_details_as_json(ipd):
    crasher = parse(ipd, f"""
        if {LATE}:
            return their_moves[turn + 5]
        return 0
    """)
    evaluation, = ipd.evaluate([crasher], [load(ipd, "tit_for_tat"), load(ipd, "always_defect")], SEEDS)
    assert evaluation.fitness == 0.0
    assert len(evaluation.details["faults"]) == 2 * len(SEEDS)
    assert json.loads(json.dumps(evaluation.details)) == evaluation.details


def test_programs_failing_the_smoke_game_are_rejected_at_parse(ipd):
    with pytest.raises(ProgramError, match="IndexError"):
        ipd.parse(ipd_source("return their_moves[turn - 1]"), origin="first_turn_bug.py")
    with pytest.raises(ProgramError, match="returned 2"):
        ipd.parse(ipd_source("return 2"), origin="bad_value.py")


def test_typing_errors_are_one_line_with_the_policy_line(ipd):
    source = ipd_source("x = 0\nx = my_moves\nreturn x")
    with pytest.raises(ProgramError) as caught:
        ipd.parse(source, origin="types.py")
    assert "nopython" in caught.value.reason and "\n" not in str(caught.value)
    assert caught.value.line is not None and 2 <= caught.value.line <= 4


# ---- resource exhaustion, and the run going on ----------------------------------------------------
def test_resource_attacks_are_contained_and_pinned_on_their_author(strict_ipd):
    arena = strict_ipd
    honest = [load(arena, name) for name in ("tit_for_tat", "generous_tit_for_tat", "random_moves")]
    before = arena.evaluate(honest, honest, SEEDS)
    attacks = {
        "CPU-time limit": f"""
            x = 0
            if {LATE}:
                while x >= 0:
                    x = (x + 1) % 1000
            return x
        """,
        "MemoryError": f"""
            if {LATE}:
                return int(np.ones(10 ** 11)[0])
            return 0
        """,
        "growth": f"""
            x = np.zeros(1024)
            if {LATE}:
                while x.size > 0:
                    x = np.concatenate((x, x))
            return 0
        """,
    }
    programs = {name: parse(arena, body) for name, body in attacks.items()}
    victim = honest[0]
    for name, program in programs.items():
        as_a = arena.duel(program, [victim], SEEDS)
        as_b = arena.duel(victim, [program], SEEDS)
        assert as_a.fitness_a[0] == 0.0 and as_a.fitness_b[0] == 5.0, name
        assert as_b.fitness_a[0] == 5.0 and as_b.fitness_b[0] == 0.0, name
        assert {f["side"] for f in as_a.details["faults"]} == {"a"}, name
        assert {f["side"] for f in as_b.details["faults"]} == {"b"}, name
        reasons = " ".join(f["reason"] for f in as_a.details["faults"])
        expected = {"growth": ("MemoryError", "CPU-time limit", "memory limit", "wall-clock limit"),
                    "CPU-time limit": ("CPU-time limit", "wall-clock limit")}.get(name, (name,))
        assert any(word in reasons for word in expected), reasons
    after = arena.evaluate(honest, honest, SEEDS)
    assert [e.fitness for e in after] == [e.fitness for e in before]
    assert [e.descriptors for e in after] == [e.descriptors for e in before]


def test_hanging_at_parse_time_is_a_rejection(strict_ipd):
    with pytest.raises(ProgramError, match="CPU-time limit|wall-clock limit"):   # whichever the load makes first
        strict_ipd.parse(ipd_source("""
            x = 0
            while x >= 0:
                x = (x + 1) % 1000
            return 0
        """), origin="hang.py")


def test_wall_clock_limit_kills_a_worker_that_stops_beating():
    arena = IPDArena(workers=1, progress=False, limits=Limits(game_cpu=60.0, game_wall=1.5))
    try:
        looper = parse(arena, f"""
            x = 0
            if {LATE}:
                while x >= 0:
                    x = (x + 1) % 1000
            return x
        """)
        results = arena.duel(load(arena, "tit_for_tat"), [looper], [0])
        assert "wall-clock limit" in results.details["faults"][0]["reason"]
        assert results.details["faults"][0]["side"] == "b"
    finally:
        arena.close()


def test_a_crashing_worker_is_replaced_and_the_fault_attributed(patient_ipd):
    """A real SIGSEGV delivered to the worker while a policy is in control."""
    arena = patient_ipd
    slow = parse(arena, f"""
        x = 0
        if {LATE}:
            for i in range(300000000):
                x = (x + i) % 7
        return x % 2
    """)
    victim = load(arena, "tit_for_tat")
    pids = [slot.process.pid for slot in arena.pool().slots]

    def crash_soon():
        time.sleep(2.0)          # well into the slow turns, long after any compilation
        for pid in pids:
            try:
                os.kill(pid, signal.SIGSEGV)
            except ProcessLookupError:
                pass

    killer = threading.Thread(target=crash_soon)
    killer.start()
    results = arena.duel(slow, [victim], [0])
    killer.join()
    fault = results.details["faults"][0]
    assert fault["side"] == "a" and "SIGSEGV" in fault["reason"]
    again = arena.evaluate([victim, load(arena, "always_defect")], [victim], [0, 1])   # fresh workers take over...
    assert again[0].fitness == 3.0 and "faults" not in again[0].details
    assert set(pids).isdisjoint(slot.process.pid for slot in arena.pool().slots)   # ...of both crashed ones


@pytest.fixture
def patient_ipd():
    arena = IPDArena(workers=2, progress=False, limits=Limits(game_cpu=60.0, game_wall=60.0))
    yield arena
    arena.close()


def test_death_reasons_name_the_limit():
    limits = Limits()
    assert "CPU-time" in _death_reason(-signal.SIGXCPU, limits, None)
    assert "SIGSEGV" in _death_reason(-signal.SIGSEGV, limits, None)
    assert "wall" in _death_reason(-signal.SIGKILL, limits, "exceeded the wall-clock limit")


# ---- determinism --------------------------------------------------------------------------------
def test_results_do_not_depend_on_workers_or_order(ipd):
    one_worker = IPDArena(workers=1, progress=False)
    try:
        names = ("tit_for_tat", "generous_tit_for_tat", "random_moves", "win_stay_lose_shift")
        a = [load(ipd, n) for n in names]
        b = [load(one_worker, n) for n in names]
        first = ipd.evaluate(a, a, [3, 4])
        second = one_worker.evaluate(list(reversed(b)), b, [3, 4])[::-1]
        assert [e.fitness for e in first] == [e.fitness for e in second]
        assert [e.descriptors for e in first] == [e.descriptors for e in second]
    finally:
        one_worker.close()


def test_a_pairing_listed_twice_is_played_once(tron, monkeypatch):
    """Games are determined by their contestants and seeds: a repeated pairing gets the first
    one's games, and only the distinct pairings are sent to the workers."""
    first_safe = (REPO / "arenas" / "tron" / "programs" / "first_safe.py").read_text()
    x = tron.parse(first_safe, origin="first_safe.py").contestant
    y = parse(tron, "        return (turn // 3) % 4\n", tron_source).contestant
    pool, seeds, sent = tron.pool(), [5, 6, 7], []
    send = pool._send
    monkeypatch.setattr(pool, "_send", lambda slot, message: sent.append(message) or send(slot, message))

    def played(pairings):
        sent.clear()
        results = pool.play(pairings, seeds, tron.game_options)
        return results, sorted((m[2][1], b[1]) for m in sent if m[0] == "play" for _, b in m[3])

    distinct, distinct_sent = played([(x, y), (y, x)])
    repeated, repeated_sent = played([(x, y), (x, y), (y, x), (x, y)])
    assert repeated == [distinct[0], distinct[0], distinct[1], distinct[0]]
    assert distinct[0] != distinct[1]
    assert repeated_sent == distinct_sent == sorted([(x[1], y[1]), (y[1], x[1])])


def test_a_worker_killed_during_parallel_checks_blames_only_its_policy(strict_ipd):
    hang = ipd_source("""
        x = 0
        while x >= 0:
            x = (x + 1) % 1000
        return 1
    """)
    good = [ipd_source("return 0"), ipd_source("return 1 if turn % 2 else 0"), ipd_source("return 1")]
    results = strict_ipd.parse_many([good[0], hang, good[1], good[2]], origin="batch")
    assert isinstance(results[1], ProgramError)
    assert "CPU-time limit" in str(results[1]) or "wall-clock limit" in str(results[1])
    assert [r.digest for r in (results[0], results[2], results[3])] == \
        [strict_ipd.parse(source).digest for source in good]
