"""The compiled game loop of Gathering and Cleanup (imported by sandbox workers via the games' modules).

A policy is called once per step for every agent it controls, with COPIES of the state:
    policy(grid, positions, orientations, timeouts, me, step) -> action
grid (rows, cols) int64 cells (see `maps`), positions (n, 2) int64 rows and columns (-1, -1 while
removed), orientations (n,) int64 (0 up, 1 right, 2 down, 3 left), timeouts (n,) int64 steps each
agent stays removed, me its own index, step 0 .. T-1. Writing to the copies changes nothing.
An array is copied afresh for every call of a policy that may write it; a policy that provably
never writes it (`arenas.policy.writes`, the `shared` flags) reads one copy made per step (the
state does not change while the agents choose), so nothing any call writes reaches the game or a
later call either way.

Actions: 0 up, 1 right, 2 down, 3 left (moves; orientation unchanged), 4 stay, 5 turn left,
6 turn right, 7 fire the tagging beam, 8 fire the cleaning beam (Cleanup only).

One step, in order:
 1. Regrowth. Gathering: a bare apple spot grows an apple `respawn` steps after its apple was
    eaten. Cleanup: with waste density d = waste cells / river cells, below the depletion
    threshold D every bare orchard spot without an agent grows an apple with probability
    apple_prob * (1 - d / D), and one waste cell may appear: clean river cells are visited in a
    random order, each turns to waste with probability waste_prob, and the first that does ends
    the search. At d >= D neither apples nor waste appear.
 2. Removed agents whose timeout is over come back on a random free spawn cell.
 3. Every present agent's policy chooses an action (agents in index order).
 4. Turns. 5. Moves, resolved in a random order drawn from the game seed each step: an agent
    moves if its target is not a wall and no agent stands there at its turn (so two agents
    never share a cell or swap), else it stays.
 6. An agent on an apple eats it (+1). 7. Beams, all from the positions after the moves:
    cleaning beams (3 lanes: the agent's cell and its two side cells, each reaching `clean_length`
    cells ahead, stopped by walls) turn waste into river; tagging beams reach `beam_length` cells
    ahead, stop at a wall or at the first agent, which takes a hit. An agent with `hits_to_remove`
    hits is removed for `removal_steps` steps and its hits reset.
 8. Removed agents' timeouts count down.
All randomness of the game comes from `arenas.policy.rng` seeded by the game seed (stream 3),
apart from numpy's stream, which only policies use (seeded per game).
"""
import numpy as np
from numba import njit, types

from arenas.policy.rng import next_uniform, policy_seed, seed_state
from arenas.policy.sandbox import BEAT, SEED_INDEX, SIDE, SIDE_A, SIDE_B, with_arrays

from .maps import APPLE, RIVER, SPOT, WALL, WASTE
from .metrics import social_metrics
from .stats import MAX_AGENTS, RETURNS_AT, STATS  # noqa: F401 (MAX_AGENTS: part of the engine's interface)

UP, RIGHT, DOWN, LEFT, STAY, TURN_LEFT, TURN_RIGHT, TAG, CLEAN = range(9)
ROW_STEP = np.array([-1, 0, 1, 0])
COL_STEP = np.array([0, 1, 0, -1])
BAD_VALUE = 6
RNG_STREAM = 3

# Integer and float parameters, in the order of the `ints` and `floats` arrays.
INT_PARAMS = ("agents", "focal", "steps", "cleanup", "respawn", "beam_length", "removal_steps",
              "hits_to_remove", "clean_length")
FLOAT_PARAMS = ("waste_prob", "apple_prob", "depletion")
TRACE_FIELDS = ("row", "col", "orientation", "timeout", "reward")
# Replays record more when `trace` and `world` are wider: per agent the action (-1: away) and the
# cell it fired its beams from (after the moves); per step the whole grid after it (row-major).
REPLAY_FIELDS = TRACE_FIELDS + ("action", "beam_row", "beam_col")


def signature():
    return types.int64(types.int64[:, ::1], types.int64[:, ::1], types.int64[::1], types.int64[::1],
                       types.int64, types.int64)


_POLICY = types.FunctionType(with_arrays(signature()))   # see arenas.policy.lift
_SIDES = (_POLICY, types.int64[::1], types.float64[::1]) * 2      # policy, its ints and floats, per side
_GAME = (types.int64[:, ::1], types.int64[:, ::1], types.int64[::1], types.float64[::1])  # grid, spawns, ints, floats
_SHARED = types.int64[:, ::1]
_EPISODE = types.int64(*_SIDES, *_GAME, _SHARED, types.int64, types.int64[::1], types.float64[::1],
                       types.int64[:, :, ::1], types.int64[:, ::1])
_EPISODES = types.void(*_SIDES, *_GAME, _SHARED, types.int64[::1], types.int64[::1], types.float64[:, ::1],
                       types.int64[::1], types.int64[::1])


@njit(cache=True)
def _copy_grid(source, target):
    """Loops, not slice assignment: that compiles a shape-mismatch error path for seconds."""
    for r in range(source.shape[0]):
        for c in range(source.shape[1]):
            target[r, c] = source[r, c]


@njit(cache=True)
def _copy_vector(source, target):
    for k in range(source.shape[0]):
        target[k] = source[k]


@njit(cache=True)
def _respawn(spawns, occupied, state):
    """(state, index of a uniformly drawn free spawn cell, or -1 when none is free)."""
    free = 0
    for s in range(spawns.shape[0]):
        if occupied[spawns[s, 0], spawns[s, 1]] == 0:
            free += 1
    if free == 0:
        return state, -1
    state, u = next_uniform(state)
    pick = int(u * free)
    for s in range(spawns.shape[0]):
        if occupied[spawns[s, 0], spawns[s, 1]] == 0:
            if pick == 0:
                return state, s
            pick -= 1
    return state, -1


@njit(cache=True)
def _regrow(grid, regrow_at, occupied, river_cells, buffer, ints, floats, step, state):
    """Phase 1: apples (and in Cleanup waste) appear."""
    rows, cols = grid.shape
    if ints[3] == 0:
        for r in range(rows):
            for c in range(cols):
                if grid[r, c] == SPOT and 0 <= regrow_at[r, c] <= step:
                    grid[r, c] = APPLE
        return state
    waste = 0
    for r in range(rows):
        for c in range(cols):
            if grid[r, c] == WASTE:
                waste += 1
    density = waste / river_cells if river_cells > 0 else 0.0
    if density >= floats[2]:
        return state
    apple_p = floats[1] * (1.0 - density / floats[2])
    if apple_p > 0:
        for r in range(rows):
            for c in range(cols):
                if grid[r, c] == SPOT and occupied[r, c] == 0:
                    state, u = next_uniform(state)
                    if u < apple_p:
                        grid[r, c] = APPLE
    if floats[0] > 0:
        remaining = 0
        for r in range(rows):
            for c in range(cols):
                if grid[r, c] == RIVER:
                    buffer[remaining] = r * cols + c
                    remaining += 1
        while remaining > 0:
            state, u = next_uniform(state)
            j = int(u * remaining)
            state, u = next_uniform(state)
            if u < floats[0]:
                grid[buffer[j] // cols, buffer[j] % cols] = WASTE
                break
            buffer[j] = buffer[remaining - 1]
            remaining -= 1
    return state


@njit(cache=True)
def _clean(grid, row, col, facing, length):
    """A cleaning beam: three parallel lanes from the agent's cell and its side cells."""
    side_r, side_c = ROW_STEP[(facing + 1) % 4], COL_STEP[(facing + 1) % 4]
    for lane in range(-1, 2):
        r, c = row + lane * side_r, col + lane * side_c
        if grid[r, c] == WALL:
            continue
        for _ in range(length):
            r, c = r + ROW_STEP[facing], c + COL_STEP[facing]
            if grid[r, c] == WALL:
                break
            if grid[r, c] == WASTE:
                grid[r, c] = RIVER


@njit(cache=True)
def _tag(grid, occupied, row, col, facing, length):
    """The index of the first agent the tagging beam reaches, or -1."""
    r, c = row, col
    for _ in range(length):
        r, c = r + ROW_STEP[facing], c + COL_STEP[facing]
        if grid[r, c] == WALL:
            return -1
        if occupied[r, c] != 0:
            return occupied[r, c] - 1
    return -1


@njit(_EPISODE, cache=True)
def episode(policy_a, consts_a, fconsts_a, policy_b, consts_b, fconsts_b, grid0, spawns, ints, floats, shared,
            seed, control, stats, trace, world):
    """Play one episode (each policy with the arrays of its constants, see arenas.policy.lift;
    shared[side - 1, k] is 1 when that side's policy never writes its k-th argument, see the
    module notes);
    fill `stats` (see STATS) and, when they have rows, `trace` (steps, n, 5;
    8 for replays: REPLAY_FIELDS) and `world` (steps, 2: apples, waste; 2 + cells for replays:
    the grid) after each step. Returns 0, or the side (1 focal,
    2 background) whose policy returned an invalid action (the value in control[BAD_VALUE])."""
    n, focal, steps, cleanup = ints[0], ints[1], ints[2], ints[3]
    beam_length, removal_steps, hits_to_remove, clean_length = ints[5], ints[6], ints[7], ints[8]
    top_action = CLEAN if cleanup else TAG
    grid = grid0.copy()
    rows, cols = grid.shape
    river_cells = 0
    for r in range(rows):
        for c in range(cols):
            if grid[r, c] == RIVER or grid[r, c] == WASTE:
                river_cells += 1
    regrow_at = np.full((rows, cols), -1, np.int64)
    occupied = np.zeros((rows, cols), np.int64)
    buffer = np.zeros(rows * cols, np.int64)
    positions = np.full((n, 2), -1, np.int64)
    orientations = np.zeros(n, np.int64)
    timeouts = np.zeros(n, np.int64)
    hits = np.zeros(n, np.int64)
    actions = np.zeros(n, np.int64)
    order = np.zeros(n, np.int64)
    returns = np.zeros(n, np.float64)
    reward_step_sums = np.zeros(n, np.float64)
    reward_counts = np.zeros(n, np.int64)
    away = np.zeros(n, np.bool_)
    view_grid = np.empty((rows, cols), np.int64)
    step_grid = np.empty((rows, cols), np.int64)
    step_positions = np.empty((n, 2), np.int64)
    step_orientations = np.empty(n, np.int64)
    step_timeouts = np.empty(n, np.int64)
    sharing = shared.sum() > 0
    rewards_now = np.zeros(n, np.int64)
    view_positions = np.empty((n, 2), np.int64)
    view_orientations = np.empty(n, np.int64)
    view_timeouts = np.empty(n, np.int64)
    state = seed_state(seed, RNG_STREAM)
    for i in range(n):
        state, s = _respawn(spawns, occupied, state)
        if s >= 0:
            positions[i, 0], positions[i, 1] = spawns[s, 0], spawns[s, 1]
            occupied[spawns[s, 0], spawns[s, 1]] = i + 1
        state, u = next_uniform(state)
        orientations[i] = int(u * 4)
    np.random.seed(policy_seed(seed))
    removed_steps = 0
    focal_tags = focal_cleans = focal_steps = background_steps = 0
    for step in range(steps):
        control[BEAT] += 1
        state = _regrow(grid, regrow_at, occupied, river_cells, buffer, ints, floats, step, state)
        for i in range(n):
            if positions[i, 0] < 0 and timeouts[i] == 0:
                state, s = _respawn(spawns, occupied, state)
                if s >= 0:
                    positions[i, 0], positions[i, 1] = spawns[s, 0], spawns[s, 1]
                    occupied[spawns[s, 0], spawns[s, 1]] = i + 1
            away[i] = positions[i, 0] < 0
        step_copied = False
        for i in range(n):
            actions[i] = -1
            if away[i]:
                continue
            side = SIDE_A if i < focal else SIDE_B
            if sharing and not step_copied:
                _copy_grid(grid, step_grid)
                _copy_grid(positions, step_positions)
                _copy_vector(orientations, step_orientations)
                _copy_vector(timeouts, step_timeouts)
                step_copied = True
            s = side - 1
            seen, seen_positions, seen_orientations, seen_timeouts = \
                step_grid, step_positions, step_orientations, step_timeouts
            if shared[s, 0] == 0:
                _copy_grid(grid, view_grid)
                seen = view_grid
            if shared[s, 1] == 0:
                _copy_grid(positions, view_positions)
                seen_positions = view_positions
            if shared[s, 2] == 0:
                _copy_vector(orientations, view_orientations)
                seen_orientations = view_orientations
            if shared[s, 3] == 0:
                _copy_vector(timeouts, view_timeouts)
                seen_timeouts = view_timeouts
            control[SIDE] = side
            if side == SIDE_A:
                action = policy_a(seen, seen_positions, seen_orientations, seen_timeouts, i, step,
                                  consts_a, fconsts_a)
                focal_steps += 1
            else:
                action = policy_b(seen, seen_positions, seen_orientations, seen_timeouts, i, step,
                                  consts_b, fconsts_b)
                background_steps += 1
            control[SIDE] = 0
            if action < 0 or action > top_action:
                control[BAD_VALUE] = action
                return side
            actions[i] = action
            if side == SIDE_A:
                focal_tags += action == TAG
                focal_cleans += action == CLEAN
        for i in range(n):
            if actions[i] == TURN_LEFT:
                orientations[i] = (orientations[i] + 3) % 4
            elif actions[i] == TURN_RIGHT:
                orientations[i] = (orientations[i] + 1) % 4
        for i in range(n):
            order[i] = i
        for k in range(n - 1, 0, -1):
            state, u = next_uniform(state)
            j = int(u * (k + 1))
            order[k], order[j] = order[j], order[k]
        for k in range(n):
            i = order[k]
            if 0 <= actions[i] <= LEFT:
                r, c = positions[i, 0] + ROW_STEP[actions[i]], positions[i, 1] + COL_STEP[actions[i]]
                if grid[r, c] != WALL and occupied[r, c] == 0:
                    occupied[positions[i, 0], positions[i, 1]] = 0
                    occupied[r, c] = i + 1
                    positions[i, 0], positions[i, 1] = r, c
        if trace.shape[0] > 0 and trace.shape[2] > 5:
            for i in range(n):
                trace[step, i, 5], trace[step, i, 6], trace[step, i, 7] = actions[i], positions[i, 0], positions[i, 1]
        for i in range(n):
            rewards_now[i] = 0
            if actions[i] >= 0 and grid[positions[i, 0], positions[i, 1]] == APPLE:
                grid[positions[i, 0], positions[i, 1]] = SPOT
                regrow_at[positions[i, 0], positions[i, 1]] = step + ints[4]
                returns[i] += 1.0
                reward_step_sums[i] += step
                reward_counts[i] += 1
                rewards_now[i] = 1
        for i in range(n):
            if actions[i] == CLEAN:
                _clean(grid, positions[i, 0], positions[i, 1], orientations[i], clean_length)
        for i in range(n):
            if actions[i] == TAG:
                target = _tag(grid, occupied, positions[i, 0], positions[i, 1], orientations[i], beam_length)
                if target >= 0:
                    hits[target] += 1
        for i in range(n):
            if hits[i] >= hits_to_remove and positions[i, 0] >= 0:
                occupied[positions[i, 0], positions[i, 1]] = 0
                positions[i, 0], positions[i, 1] = -1, -1
                timeouts[i] = removal_steps
                hits[i] = 0
        for i in range(n):
            if away[i]:
                removed_steps += 1
                if timeouts[i] > 0:
                    timeouts[i] -= 1
        if trace.shape[0] > 0:
            for i in range(n):
                trace[step, i, 0], trace[step, i, 1] = positions[i, 0], positions[i, 1]
                trace[step, i, 2], trace[step, i, 3] = orientations[i], timeouts[i]
                trace[step, i, 4] = rewards_now[i]
            apples = waste = 0
            for r in range(rows):
                for c in range(cols):
                    apples += grid[r, c] == APPLE
                    waste += grid[r, c] == WASTE
            world[step, 0], world[step, 1] = apples, waste
            if world.shape[1] > 2:
                for r in range(rows):
                    for c in range(cols):
                        world[step, 2 + r * cols + c] = grid[r, c]
    focal_return = background_return = 0.0
    for i in range(n):
        if i < focal:
            focal_return += returns[i]
        else:
            background_return += returns[i]
        stats[RETURNS_AT + i] = returns[i]
    efficiency, equality, sustainability, peace = social_metrics(
        returns, reward_step_sums, reward_counts, removed_steps, steps)
    stats[0], stats[1], stats[2], stats[3] = focal_return, background_return, efficiency, equality
    stats[4], stats[5], stats[6], stats[7] = sustainability, peace, focal_tags, focal_cleans
    stats[8], stats[9] = focal_steps, background_steps
    return 0


@njit(_EPISODES, cache=True)
def episodes(policy_a, consts_a, fconsts_a, policy_b, consts_b, fconsts_b, grid0, spawns, ints, floats, shared,
             seeds, control, stats, statuses, bad_values):
    """One episode per seed, in one call; beats the heartbeat per episode."""
    no_trace = np.zeros((0, 0, 5), np.int64)
    no_world = np.zeros((0, 2), np.int64)
    for index in range(seeds.size):
        control[SEED_INDEX] = index
        control[BEAT] += 1
        statuses[index] = episode(policy_a, consts_a, fconsts_a, policy_b, consts_b, fconsts_b, grid0, spawns,
                                  ints, floats, shared, seeds[index], control, stats[index], no_trace, no_world)
        bad_values[index] = control[BAD_VALUE]


def parameter_arrays(settings: dict) -> tuple[np.ndarray, np.ndarray]:
    """The `ints` and `floats` arrays of a settings dict with every INT_PARAMS and FLOAT_PARAMS key."""
    return (np.array([int(settings[k]) for k in INT_PARAMS], np.int64),
            np.array([float(settings[k]) for k in FLOAT_PARAMS], np.float64))


def shared_flags(policy_a, policy_b) -> np.ndarray:
    """The `shared` argument of `episode`: per side and array argument (grid, positions,
    orientations, timeouts), 1 when the side's policy never writes it."""
    return np.array([[0 if policy.may_write(k) else 1 for k in range(4)] for policy in (policy_a, policy_b)],
                    np.int64)


def invalid_move(value: int) -> str:
    return f"returned {value}, not an action of this game"
