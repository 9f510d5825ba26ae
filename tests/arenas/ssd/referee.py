"""A plain NumPy/Python implementation of the Gathering and Cleanup rules (the referee).

Written from the rules in `arenas/ssd/engine.py`'s docstring, not from its code: the compiled
episode must produce the same trajectory for the same seed and policies. Policies here are plain
Python functions (as in the policy-synthesis reference code); the random generator is SplitMix64
in Python integers.
"""
import numpy as np

MASK = (1 << 64) - 1
GOLDEN, MIX1, MIX2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
EMPTY, WALL, APPLE, WASTE, RIVER, SPOT = range(6)
MOVES = [(-1, 0), (0, 1), (1, 0), (0, -1)]


def _mix(z):
    z = ((z ^ (z >> 30)) * MIX1) & MASK
    z = ((z ^ (z >> 27)) * MIX2) & MASK
    return z ^ (z >> 31)


class Random:
    def __init__(self, seed, stream=3):
        self.state = _mix((seed * GOLDEN + stream) & MASK)

    def uniform(self):
        self.state = (self.state + GOLDEN) & MASK
        return (_mix(self.state) >> 11) * (1.0 / 9007199254740992.0)


def policy_seed(seed):
    return _mix((seed ^ 0x5EED) & MASK) >> 33


def play(policies, grid0, spawns, seed, steps, cleanup=False, respawn=25, beam_length=20, removal=25,
         hits_to_remove=2, clean_length=5, waste_prob=0.5, apple_prob=0.05, depletion=0.4):
    """(trace (steps, n, 5), world (steps, 2), returns) of one episode; policies[i] plays agent i."""
    n = len(policies)
    grid = np.array(grid0, np.int64)
    rows, cols = grid.shape
    river = int(np.isin(grid, (RIVER, WASTE)).sum())
    regrow = {}
    rng = Random(seed)
    pos = [None] * n
    facing = [0] * n
    timeout = [0] * n
    hits = [0] * n
    returns = np.zeros(n)
    trace = np.zeros((steps, n, 5), np.int64)
    world = np.zeros((steps, 2), np.int64)

    def who_at(cell):
        return next((i for i in range(n) if pos[i] == cell), None)

    def respawn_cell():
        free = [tuple(s) for s in spawns if who_at(tuple(s)) is None]
        return free[int(rng.uniform() * len(free))] if free else None

    for i in range(n):
        pos[i] = respawn_cell()
        facing[i] = int(rng.uniform() * 4)
    np.random.seed(policy_seed(seed))
    for step in range(steps):
        if not cleanup:
            for cell, when in regrow.items():
                if grid[cell] == SPOT and when <= step:
                    grid[cell] = APPLE
        else:
            density = (grid == WASTE).sum() / river if river else 0.0
            if density < depletion:
                p = apple_prob * (1 - density / depletion)
                if p > 0:
                    for r in range(rows):
                        for c in range(cols):
                            if grid[r, c] == SPOT and who_at((r, c)) is None and rng.uniform() < p:
                                grid[r, c] = APPLE
                clean = [(r, c) for r in range(rows) for c in range(cols) if grid[r, c] == RIVER]
                while clean and waste_prob > 0:
                    j = int(rng.uniform() * len(clean))
                    if rng.uniform() < waste_prob:
                        grid[clean[j]] = WASTE
                        break
                    clean[j] = clean[-1]
                    clean.pop()
        for i in range(n):
            if pos[i] is None and timeout[i] == 0:
                pos[i] = respawn_cell()
        away = [pos[i] is None for i in range(n)]
        actions = [None] * n
        for i in range(n):
            if not away[i]:
                positions = np.array([p if p is not None else (-1, -1) for p in pos], np.int64)
                actions[i] = int(policies[i](grid.copy(), positions, np.array(facing, np.int64),
                                             np.array(timeout, np.int64), i, step))
                assert 0 <= actions[i] <= (8 if cleanup else 7)
        for i in range(n):
            if actions[i] in (5, 6):
                facing[i] = (facing[i] + (3 if actions[i] == 5 else 1)) % 4
        order = list(range(n))
        for k in range(n - 1, 0, -1):
            j = int(rng.uniform() * (k + 1))
            order[k], order[j] = order[j], order[k]
        for i in order:
            if actions[i] is not None and actions[i] <= 3:
                target = (pos[i][0] + MOVES[actions[i]][0], pos[i][1] + MOVES[actions[i]][1])
                if grid[target] != WALL and who_at(target) is None:
                    pos[i] = target
        reward = [0] * n
        for i in range(n):
            if actions[i] is not None and grid[pos[i]] == APPLE:
                grid[pos[i]] = SPOT
                regrow[pos[i]] = step + respawn
                returns[i] += 1
                reward[i] = 1
        for i in range(n):
            if actions[i] == 8:
                ahead, side = MOVES[facing[i]], MOVES[(facing[i] + 1) % 4]
                for lane in (-1, 0, 1):
                    cell = (pos[i][0] + lane * side[0], pos[i][1] + lane * side[1])
                    if grid[cell] == WALL:
                        continue
                    for _ in range(clean_length):
                        cell = (cell[0] + ahead[0], cell[1] + ahead[1])
                        if grid[cell] == WALL:
                            break
                        if grid[cell] == WASTE:
                            grid[cell] = RIVER
        for i in range(n):
            if actions[i] == 7:
                ahead = MOVES[facing[i]]
                cell = pos[i]
                for _ in range(beam_length):
                    cell = (cell[0] + ahead[0], cell[1] + ahead[1])
                    if grid[cell] == WALL:
                        break
                    target = who_at(cell)
                    if target is not None:
                        hits[target] += 1
                        break
        for i in range(n):
            if hits[i] >= hits_to_remove and pos[i] is not None:
                pos[i], timeout[i], hits[i] = None, removal, 0
        for i in range(n):
            if away[i] and timeout[i] > 0:
                timeout[i] -= 1
        for i in range(n):
            r, c = pos[i] if pos[i] is not None else (-1, -1)
            trace[step, i] = (r, c, facing[i], timeout[i], reward[i])
        world[step] = ((grid == APPLE).sum(), (grid == WASTE).sum())
    return trace, world, returns
