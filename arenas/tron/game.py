"""Tron light cycles, compiled by numba (imported by sandbox workers).

Two cycles on a walled grid move at the same time, one cell per turn, each leaving a trail. A
cycle that moves into a wall or any trail crashes; if both crash, or both move into the same
cell (head-on), the game is a draw. Win 1, draw 0.5, loss 0.

The grid handed to a policy is a copy of shape (rows + 2, cols + 2) including the border walls,
seen from that policy's side: 0 empty, 1 wall, 2 its own trail (head included), 3 the opponent's.
Directions: 0 up (row - 1), 1 right (col + 1), 2 down (row + 1), 3 left (col - 1).
Start positions are drawn from the game seed, the second cycle point-mirrored from the first.
"""
import numpy as np
from numba import njit, types

from arenas.policy.rng import next_uniform, policy_seed, seed_state
from arenas.policy.sandbox import BEAT, SEED_INDEX, SIDE, SIDE_A, SIDE_B, with_arrays

EMPTY, WALL, MINE, THEIRS = 0, 1, 2, 3
ROW_STEP = np.array([-1, 0, 1, 0])
COL_STEP = np.array([0, 1, 0, -1])
BAD_VALUE = 6
TERRITORY_EVERY = 4          # turns between samples of the territory (Voronoi) share

STATS = ("score_a", "score_b", "territory_a", "territory_b", "aggression_a", "aggression_b", "turns")

SMOKE_OPPONENT = '''
def policy(grid, me_row, me_col, opp_row, opp_col, turn):
    rows = np.array([-1, 0, 1, 0])
    cols = np.array([0, 1, 0, -1])
    start = np.random.randint(4)
    for k in range(4):
        d = (start + k) % 4
        if grid[me_row + rows[d], me_col + cols[d]] == 0:
            return d
    return 0
'''


def signature():
    return types.int64(types.int64[:, ::1], types.int64, types.int64, types.int64, types.int64, types.int64)


_POLICY = types.FunctionType(with_arrays(signature()))   # see arenas.policy.lift
_SIDES = (_POLICY, types.int64[::1], types.float64[::1]) * 2      # policy, its ints and floats, per side
_GAME = types.int64(*_SIDES, types.int64, types.int64, types.int64, types.int64[::1],
                    types.float64[::1], types.int64[:, ::1])
_GAMES = types.void(*_SIDES, types.int64, types.int64, types.int64[::1], types.int64[::1],
                    types.float64[:, ::1], types.int64[::1], types.int64[::1])


@njit(cache=True)
def territory(grid, ra, ca, rb, cb, dist_a, dist_b, queue):
    """Empty cells strictly closer (by moves through empty cells) to A's head, and to B's."""
    _distances(grid, ra, ca, dist_a, queue)
    _distances(grid, rb, cb, dist_b, queue)
    mine = theirs = 0
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            if grid[r, c] == EMPTY:
                if dist_a[r, c] < dist_b[r, c]:
                    mine += 1
                elif dist_b[r, c] < dist_a[r, c]:
                    theirs += 1
    return mine, theirs


@njit(cache=True)
def _distances(grid, row, col, dist, queue):
    """Breadth-first distances from (row, col) through empty cells; unreached cells get a large value."""
    dist[:, :] = 1 << 30
    dist[row, col] = 0
    queue[0, 0], queue[0, 1] = row, col
    head, tail = 0, 1
    while head < tail:
        r, c = queue[head, 0], queue[head, 1]
        head += 1
        for d in range(4):
            nr, nc = r + ROW_STEP[d], c + COL_STEP[d]
            if grid[nr, nc] == EMPTY and dist[nr, nc] > dist[r, c] + 1:
                dist[nr, nc] = dist[r, c] + 1
                queue[tail, 0], queue[tail, 1] = nr, nc
                tail += 1


@njit(cache=True)
def _view_of_b(grid, view):
    """The grid as B sees it: its trail is 2, A's is 3."""
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            value = grid[r, c]
            view[r, c] = 5 - value if value >= MINE else value


@njit(_GAME, cache=True)
def game(policy_a, ints_a, floats_a, policy_b, ints_b, floats_b, rows, cols, seed, control, stats, trail):
    """Play one game; fill `stats`; return 0, or the side (1, 2) that returned an invalid move.
    `trail` records the game for replays when it has rows (play passes an empty one): row t gets
    the heads (ra, ca, rb, cb) after t turns and the moves that followed, (da, db)."""
    recording = trail.shape[0] > 0
    height, width = rows + 2, cols + 2
    grid = np.zeros((height, width), np.int64)
    grid[0, :] = WALL
    grid[-1, :] = WALL
    grid[:, 0] = WALL
    grid[:, -1] = WALL
    state = seed_state(seed, 2)
    state, u = next_uniform(state)
    ra = 1 + int(u * rows)
    state, u = next_uniform(state)
    ca = 1 + int(u * max(cols // 2 - 1, 1))
    rb, cb = height - 1 - ra, width - 1 - ca
    grid[ra, ca], grid[rb, cb] = MINE, THEIRS
    if recording:
        trail[0, 0], trail[0, 1], trail[0, 2], trail[0, 3] = ra, ca, rb, cb
    np.random.seed(policy_seed(seed))
    view_a = np.empty((height, width), np.int64)
    view_b = np.empty((height, width), np.int64)
    dist_a = np.empty((height, width), np.int64)
    dist_b = np.empty((height, width), np.int64)
    queue = np.empty((height * width, 2), np.int64)
    score_a = score_b = 0.5
    toward_a = toward_b = samples = 0
    share_a = share_b = 0.0
    turns = 0
    for turn in range(rows * cols):
        if turn % TERRITORY_EVERY == 0:
            mine, theirs = territory(grid, ra, ca, rb, cb, dist_a, dist_b, queue)
            share_a += mine / (rows * cols)
            share_b += theirs / (rows * cols)
            samples += 1
        view_a[:, :] = grid
        control[SIDE] = SIDE_A
        da = policy_a(view_a, ra, ca, rb, cb, turn, ints_a, floats_a)
        _view_of_b(grid, view_b)
        control[SIDE] = SIDE_B
        db = policy_b(view_b, rb, cb, ra, ca, turn, ints_b, floats_b)
        control[SIDE] = 0
        if da < 0 or da > 3:
            control[BAD_VALUE] = da
            return SIDE_A
        if db < 0 or db > 3:
            control[BAD_VALUE] = db
            return SIDE_B
        turns += 1
        if recording:
            trail[turn, 4], trail[turn, 5] = da, db
        nra, nca = ra + ROW_STEP[da], ca + COL_STEP[da]
        nrb, ncb = rb + ROW_STEP[db], cb + COL_STEP[db]
        apart = abs(ra - rb) + abs(ca - cb)
        toward_a += abs(nra - rb) + abs(nca - cb) < apart
        toward_b += abs(nrb - ra) + abs(ncb - ca) < apart
        crash_a = grid[nra, nca] != EMPTY
        crash_b = grid[nrb, ncb] != EMPTY
        if nra == nrb and nca == ncb:
            crash_a = crash_b = True
        if crash_a or crash_b:
            score_a = 0.5 if crash_a and crash_b else (0.0 if crash_a else 1.0)
            score_b = 1.0 - score_a
            break
        grid[nra, nca], grid[nrb, ncb] = MINE, THEIRS
        ra, ca, rb, cb = nra, nca, nrb, ncb
        if recording:
            trail[turn + 1, 0], trail[turn + 1, 1], trail[turn + 1, 2], trail[turn + 1, 3] = ra, ca, rb, cb
    stats[0], stats[1] = score_a, score_b
    stats[2], stats[3] = share_a / max(samples, 1), share_b / max(samples, 1)
    stats[4], stats[5] = toward_a / max(turns, 1), toward_b / max(turns, 1)
    stats[6] = turns
    return 0


@njit(_GAMES, cache=True)
def games(policy_a, ints_a, floats_a, policy_b, ints_b, floats_b, rows, cols, seeds, control, stats, statuses,
          bad_values):
    """One game per seed, in one call; beats the heartbeat per game (see arenas.ipd.game.matches)."""
    no_trail = np.empty((0, 6), np.int64)
    for index in range(seeds.size):
        control[SEED_INDEX] = index
        control[BEAT] += 1
        statuses[index] = game(policy_a, ints_a, floats_a, policy_b, ints_b, floats_b, rows, cols, seeds[index],
                               control, stats[index], no_trail)
        bad_values[index] = control[BAD_VALUE]


def warm_up():
    """Nothing to do: the game loop compiled (or loaded from numba's cache) at import."""


def size_of(options: dict) -> tuple[int, int]:
    """(rows, cols) of the game options the arena passes (its declared defaults filled in)."""
    return int(options["rows"]), int(options["cols"])


def play_batch(policy_a, policy_b, seeds, options, control, stats, statuses, bad_values):
    """Games for `seeds` (see sandbox.Worker.play_games)."""
    rows, cols = size_of(options)
    games(*policy_a, *policy_b, rows, cols, seeds, control, stats, statuses, bad_values)


def trace(policy_a, policy_b, seed, options, control) -> dict:
    """One game recorded for a replay: the heads after each turn and the moves (see `game`),
    the scores, and the status (0, or the side that returned an invalid move)."""
    rows, cols = size_of(options)
    trail = np.full((rows * cols + 1, 6), -1, np.int64)
    stats = np.zeros(len(STATS))
    status = game(*policy_a, *policy_b, rows, cols, int(seed), control, stats, trail)
    turns = int((trail[:, 4] >= 0).sum())
    heads = int((trail[:, 0] >= 0).sum())      # turns + 1, or turns when the last move crashed
    return {"rows": rows, "cols": cols, "seed": int(seed), "status": int(status),
            "score_a": float(stats[0]), "score_b": float(stats[1]), "turns": turns,
            "trail": trail[:heads].tolist()}


def invalid_move(value: int) -> str:
    return f"returned {value}, not a direction 0-3"


def smoke_options(options: dict) -> dict:
    return dict(options)
