"""The compiled MARS: executes Redcode exactly as pMARS 0.9.2 does, compiled by Numba.

Layout (all preallocated, nothing is allocated inside the instruction loop):

- `core`: flat int32 array of 4 * coresize; cell i occupies [4i, 4i+4) with the columns
  INS (opcode * 8 + modifier, pMARS's numbering), MODES (A mode * 8 + B mode) and the A and B
  fields stored unsigned (0 <= value < coresize).
- `queue`: one int32 array holding every warrior's circular process queue, `qcap` slots each
  (a power of two >= the process limit, so wrapping is a mask); `qhead`/`qcount` per warrior.
- `ring`: the next living warrior after each warrior; the turn order of the round.
- `pspace`: every P-space, `pssize` cells each; `pindex` maps a warrior to its P-space;
  cell 0 reads and writes the warrior's own `last_result` instead, as in pMARS.

One instruction follows pMARS's in-register evaluation: the A operand is evaluated first
(predecrement, latch the target's A and B values, postincrement), then the B operand, which sees
A's increments; the operation reads the latched values and writes core at the B address.

The round's instruction budget is warriors x cycles; when a warrior dies the remaining budget is
rescaled as pMARS does (see `_kill_warrior`), so survivors keep the same number of turns each.

Per-warrior statistics counted in the loop: `turns` (instructions it executed, one per cycle
while alive), `spawned` (SPLs that added a process), `covered` (distinct addresses executed,
marked in `visited`).
"""
import numpy as np
from numba import njit, prange

from .instruction import (IMMEDIATE, DIRECT, B_PREDEC, B_POSTINC, A_INDIRECT, A_PREDEC, A_POSTINC,
                          MOV, ADD, SUB, MUL, DIV, MOD, JMZ, JMN, DJN, CMP, SLT, SPL, DAT, JMP,
                          SEQ, SNE, NOP, LDP, STP, M_A, M_B, M_AB, M_BA, M_F, M_X, M_I)
from .placement import place_round

# Columns of a core cell.
INS, MODES, AF, BF = 0, 1, 2, 3
CELL = 4
# The empty cell, DAT.F $0, $0.
EMPTY_INS = DAT * 8 + M_F
EMPTY_MODES = DIRECT * 8 + DIRECT

# Indices into the `reg` array of scalar machine state. R_OVERRUN is the number of extra
# instructions still allowed after pMARS's budget overrun (see `execute`), or -1 outside one.
R_CURRENT, R_PREVIOUS, R_ALIVE, R_BUDGET, R_OVERRUN = 0, 1, 2, 3, 4
N_REGS = 5
# An overrun limit meaning "no limit", as in pMARS (the round then ends only by deaths).
UNLIMITED = 2**62

# Sentinels for "where the current process goes next".
_DIES = -1
_QUEUED = -2


def queue_capacity(maxprocesses: int) -> int:
    """The per-warrior queue size: the smallest power of two holding the process limit."""
    capacity = 1
    while capacity < maxprocesses:
        capacity *= 2
    return capacity


@njit(cache=True, nogil=True, inline="always")
def _pspace_get(pspace, pindex, last_result, pssize, warrior, address):
    cell = address % pssize
    if cell == 0:
        return last_result[warrior]
    return pspace[pindex[warrior] * pssize + cell]


@njit(cache=True, nogil=True, inline="always")
def _pspace_set(pspace, pindex, last_result, pssize, warrior, address, value):
    cell = address % pssize
    if cell == 0:
        last_result[warrior] = value
    else:
        pspace[pindex[warrior] * pssize + cell] = value


@njit(cache=True, nogil=True)
def execute(core, coresize, queue, qhead, qcount, qcap, maxprocesses, ring, reg,
            pspace, pindex, last_result, pssize, score, n_warriors,
            turns, spawned, covered, visited, overrun_limit, max_steps):
    """Run the loaded round until the budget is spent, fewer than two warriors are left
    (none, for a one-warrior battle), or `max_steps` instructions (negative: no limit) were executed.
    Returns the number of instructions executed. State lives in the arrays passed.

    pMARS quirk kept on purpose: when a warrior dies on the last instruction of the budget with
    three or more warriors alive, pMARS's cycle counter passes zero and the round only ends when
    fewer than two warriors are left (possibly never). Here the round then goes on for at most
    `overrun_limit` more instructions (UNLIMITED reproduces pMARS exactly)."""
    mask = qcap - 1
    last = coresize - 1
    w = reg[R_CURRENT]
    previous = reg[R_PREVIOUS]
    alive = reg[R_ALIVE]
    budget = reg[R_BUDGET]
    overrun = reg[R_OVERRUN] != 0
    steps = 0
    while budget > 0 and steps != max_steps:
        steps += 1
        # Fetch: pop the warrior's next process.
        qbase = w * qcap
        head = qhead[w]
        pc = np.int64(queue[qbase + head])
        qhead[w] = (head + 1) & mask
        tasks = qcount[w]  # processes including the one executing, as pMARS counts them
        qcount[w] = tasks - 1
        turns[w] += 1
        seen = w * coresize + pc
        if visited[seen] == 0:
            visited[seen] = 1
            covered[w] += 1

        p = pc * CELL
        ins = core[p + INS]
        modes = core[p + MODES]
        ira = np.int64(core[p + AF])
        irb = np.int64(core[p + BF])
        amode = modes >> 3
        bmode = modes & 7

        # A operand: address, and the A and B values latched from its target.
        if amode == IMMEDIATE:
            addr_a = pc
            aa = ira
            ab = irb
        else:
            addr_a = pc + ira
            if addr_a >= coresize:
                addr_a -= coresize
            if amode == DIRECT:
                aa = np.int64(core[addr_a * CELL + AF])
                ab = np.int64(core[addr_a * CELL + BF])
            else:
                field = addr_a * CELL + (AF if amode >= A_INDIRECT else BF)
                offset = np.int64(core[field])
                if amode == B_PREDEC or amode == A_PREDEC:
                    offset -= 1
                    if offset < 0:
                        offset = last
                    core[field] = offset
                addr_a += offset
                if addr_a >= coresize:
                    addr_a -= coresize
                aa = np.int64(core[addr_a * CELL + AF])
                ab = np.int64(core[addr_a * CELL + BF])
                if amode == B_POSTINC or amode == A_POSTINC:
                    offset += 1
                    if offset == coresize:
                        offset = 0
                    core[field] = offset

        # B operand, evaluated after A's increments. Immediate: the instruction's own fields.
        if bmode == IMMEDIATE:
            addr_b = pc
            ba = ira
            bb = irb
        else:
            addr_b = pc + irb
            if addr_b >= coresize:
                addr_b -= coresize
            if bmode == DIRECT:
                ba = np.int64(core[addr_b * CELL + AF])
                bb = np.int64(core[addr_b * CELL + BF])
            else:
                field = addr_b * CELL + (AF if bmode >= A_INDIRECT else BF)
                offset = np.int64(core[field])
                if bmode == B_PREDEC or bmode == A_PREDEC:
                    offset -= 1
                    if offset < 0:
                        offset = last
                    core[field] = offset
                addr_b += offset
                if addr_b >= coresize:
                    addr_b -= coresize
                ba = np.int64(core[addr_b * CELL + AF])
                bb = np.int64(core[addr_b * CELL + BF])
                if bmode == B_POSTINC or bmode == A_POSTINC:
                    offset += 1
                    if offset == coresize:
                        offset = 0
                    core[field] = offset

        pb = addr_b * CELL
        op = ins >> 3
        mod = ins & 7
        following = pc + 1
        if following == coresize:
            following = 0
        target = following  # where this process continues; _DIES or _QUEUED are sentinels

        if op == MOV:
            if mod == M_I:
                pa = addr_a * CELL
                core[pb + INS] = core[pa + INS]
                core[pb + MODES] = core[pa + MODES]
                core[pb + AF] = aa
                core[pb + BF] = ab
            elif mod == M_A:
                core[pb + AF] = aa
            elif mod == M_B:
                core[pb + BF] = ab
            elif mod == M_AB:
                core[pb + BF] = aa
            elif mod == M_BA:
                core[pb + AF] = ab
            elif mod == M_F:
                core[pb + AF] = aa
                core[pb + BF] = ab
            else:  # X
                core[pb + BF] = aa
                core[pb + AF] = ab
        elif op == SPL:
            queue[qbase + ((head + tasks) & mask)] = following
            if tasks < maxprocesses:
                queue[qbase + ((head + tasks + 1) & mask)] = addr_a
                qcount[w] = tasks + 1
                spawned[w] += 1
            else:
                qcount[w] = tasks
            target = _QUEUED
        elif op == DAT:
            target = _DIES
        elif op == JMP:
            target = addr_a
        elif op == ADD or op == SUB:
            if op == SUB:  # subtracting x is adding coresize - x, and keeps every sum in range
                aa = coresize - aa if aa else 0
                ab = coresize - ab if ab else 0
            if mod == M_A:
                v = ba + aa
                core[pb + AF] = v - coresize if v >= coresize else v
            elif mod == M_B:
                v = bb + ab
                core[pb + BF] = v - coresize if v >= coresize else v
            elif mod == M_AB:
                v = bb + aa
                core[pb + BF] = v - coresize if v >= coresize else v
            elif mod == M_BA:
                v = ba + ab
                core[pb + AF] = v - coresize if v >= coresize else v
            elif mod == M_X:
                v = bb + aa
                core[pb + BF] = v - coresize if v >= coresize else v
                v = ba + ab
                core[pb + AF] = v - coresize if v >= coresize else v
            else:  # F and I
                v = ba + aa
                core[pb + AF] = v - coresize if v >= coresize else v
                v = bb + ab
                core[pb + BF] = v - coresize if v >= coresize else v
        elif op == DJN:
            if mod == M_A or mod == M_BA:
                v = np.int64(core[pb + AF]) - 1
                core[pb + AF] = last if v < 0 else v
                if ba != 1:
                    target = addr_a
            elif mod == M_B or mod == M_AB:
                v = np.int64(core[pb + BF]) - 1
                core[pb + BF] = last if v < 0 else v
                if bb != 1:
                    target = addr_a
            else:
                v = np.int64(core[pb + BF]) - 1
                core[pb + BF] = last if v < 0 else v
                v = np.int64(core[pb + AF]) - 1
                core[pb + AF] = last if v < 0 else v
                if ba != 1 or bb != 1:
                    target = addr_a
        elif op == CMP or op == SEQ or op == SNE:
            if mod == M_A:
                equal = ba == aa
            elif mod == M_B:
                equal = bb == ab
            elif mod == M_AB:
                equal = bb == aa
            elif mod == M_BA:
                equal = ba == ab
            elif mod == M_F:
                equal = ba == aa and bb == ab
            elif mod == M_X:
                equal = bb == aa and ba == ab
            else:  # I: opcode, modifier and modes from core, numbers latched
                pa = addr_a * CELL
                equal = (core[pb + INS] == core[pa + INS] and core[pb + MODES] == core[pa + MODES]
                         and ba == aa and bb == ab)
            if equal != (op == SNE):
                target = following + 1
                if target == coresize:
                    target = 0
        elif op == JMZ or op == JMN:
            if mod == M_A or mod == M_BA:
                zero = ba == 0
            elif mod == M_B or mod == M_AB:
                zero = bb == 0
            else:
                zero = ba == 0 and bb == 0
            if zero == (op == JMZ):
                target = addr_a
        elif op == SLT:
            if mod == M_A:
                less = aa < ba
            elif mod == M_B:
                less = ab < bb
            elif mod == M_AB:
                less = aa < bb
            elif mod == M_BA:
                less = ab < ba
            elif mod == M_X:
                less = aa < bb and ab < ba
            else:  # F and I
                less = aa < ba and ab < bb
            if less:
                target = following + 1
                if target == coresize:
                    target = 0
        elif op == MUL:
            if mod == M_A:
                core[pb + AF] = ba * aa % coresize
            elif mod == M_B:
                core[pb + BF] = bb * ab % coresize
            elif mod == M_AB:
                core[pb + BF] = bb * aa % coresize
            elif mod == M_BA:
                core[pb + AF] = ba * ab % coresize
            elif mod == M_X:
                core[pb + BF] = bb * aa % coresize
                core[pb + AF] = ba * ab % coresize
            else:
                core[pb + AF] = ba * aa % coresize
                core[pb + BF] = bb * ab % coresize
        elif op == DIV or op == MOD:
            target = _divide(core, pb, op == MOD, mod, aa, ab, ba, bb, following)
        elif op == NOP:
            pass
        elif op == LDP:
            if mod == M_A:
                core[pb + AF] = _pspace_get(pspace, pindex, last_result, pssize, w, aa)
            elif mod == M_AB:
                core[pb + BF] = _pspace_get(pspace, pindex, last_result, pssize, w, aa)
            elif mod == M_BA:
                core[pb + AF] = _pspace_get(pspace, pindex, last_result, pssize, w, ab)
            else:  # B, F, X, I
                core[pb + BF] = _pspace_get(pspace, pindex, last_result, pssize, w, ab)
        elif op == STP:
            if mod == M_A:
                _pspace_set(pspace, pindex, last_result, pssize, w, ba, aa)
            elif mod == M_AB:
                _pspace_set(pspace, pindex, last_result, pssize, w, bb, aa)
            elif mod == M_BA:
                _pspace_set(pspace, pindex, last_result, pssize, w, ba, ab)
            else:  # B, F, X, I
                _pspace_set(pspace, pindex, last_result, pssize, w, bb, ab)

        if target >= 0:
            queue[qbase + ((head + tasks) & mask)] = target
            qcount[w] = tasks
        elif target == _DIES and tasks == 1:
            # The warrior's last process died: pMARS's death bookkeeping, then rescale.
            score[w * (2 * n_warriors - 1) + alive + n_warriors - 2] += 1
            if not overrun:
                budget = budget - 1 - (budget - 1) // alive
                if budget == 0:
                    # A death on the budget's last instruction: pMARS's counter steps below
                    # zero and the round goes on until fewer than two warriors are left.
                    overrun = True
                    budget = overrun_limit + 1
            alive -= 1
            if alive < 2:
                reg[R_CURRENT] = ring[w]
                reg[R_PREVIOUS] = previous
                reg[R_ALIVE] = alive
                reg[R_BUDGET] = budget
                reg[R_OVERRUN] = overrun
                return steps
            ring[previous] = ring[w]
            w = ring[w]
            budget -= 1
            continue
        previous = w
        w = ring[w]
        budget -= 1
    reg[R_CURRENT] = w
    reg[R_PREVIOUS] = previous
    reg[R_ALIVE] = alive
    reg[R_BUDGET] = budget
    reg[R_OVERRUN] = overrun
    return steps


@njit(cache=True, nogil=True)
def _divide(core, pb, remainder, mod, aa, ab, ba, bb, following):
    """DIV and MOD: unsigned, a zero divisor kills the process; with .F/.X/.I the half whose
    divisor is non-zero is still written (A half first) before the process dies."""
    if mod == M_A:
        if aa == 0:
            return _DIES
        core[pb + AF] = ba % aa if remainder else ba // aa
    elif mod == M_B:
        if ab == 0:
            return _DIES
        core[pb + BF] = bb % ab if remainder else bb // ab
    elif mod == M_AB:
        if aa == 0:
            return _DIES
        core[pb + BF] = bb % aa if remainder else bb // aa
    elif mod == M_BA:
        if ab == 0:
            return _DIES
        core[pb + AF] = ba % ab if remainder else ba // ab
    else:
        if mod == M_X:  # A <- B.a / A.b, B <- B.b / A.a
            a_divisor, a_dividend, b_divisor, b_dividend = ab, ba, aa, bb
        else:           # F, I: A <- B.a / A.a, B <- B.b / A.b
            a_divisor, a_dividend, b_divisor, b_dividend = aa, ba, ab, bb
        if a_divisor != 0:
            core[pb + AF] = a_dividend % a_divisor if remainder else a_dividend // a_divisor
        if b_divisor != 0:
            core[pb + BF] = b_dividend % b_divisor if remainder else b_dividend // b_divisor
        if a_divisor == 0 or b_divisor == 0:
            return _DIES
    return following


@njit(cache=True, nogil=True)
def clear_core(core, coresize):
    for cell in range(coresize):
        p = cell * CELL
        core[p + INS] = EMPTY_INS
        core[p + MODES] = EMPTY_MODES
        core[p + AF] = 0
        core[p + BF] = 0


@njit(cache=True, nogil=True)
def survival_shares(lifetimes, maxcycles, out):
    """Survival fitness of one round: every cycle each living warrior earns 1 / (warriors alive);
    the total is divided by the cycle limit and multiplied by the number of warriors.
    `lifetimes[i]` is the number of cycles warrior i was alive (the cycle limit for survivors).
    A lone survivor of a full battle gets n; if all survive, each gets 1; the shares sum to n."""
    n = lifetimes.shape[0]
    order = np.argsort(lifetimes)
    earned = np.zeros(n)        # earned[k]: what a warrior alive until the k-th death earns
    total, start = 0.0, 0
    for k in range(n):
        end = lifetimes[order[k]]
        total += (end - start) / (n - k)
        earned[k] = total
        start = end
    for k in range(n):
        out[order[k]] = earned[k] * n / maxcycles


@njit(cache=True, nogil=True)
def play_battle(pool_core, pool_offset, pool_length, pool_entry, members, pindex, n_pspaces,
                seed, rounds, coresize, maxcycles, maxprocesses, separation, pssize, permutate,
                overrun_limit, score, survived, fitness, lifetime, spawned_out, covered_out):
    """A battle of several rounds between the pool warriors `members` (in command-line order),
    placed from the pMARS seed `seed`. Writes pMARS's per-warrior score table `score`
    (n x (2n - 1): survivals by number of survivors, then deaths by order) and per-round,
    per-warrior arrays: `survived` (0/1), `fitness`, `lifetime` (cycles alive), `spawned_out`
    and `covered_out`. P-space lives for the whole battle. Returns the final seed."""
    n = members.shape[0]
    qcap = 1
    while qcap < maxprocesses:
        qcap *= 2
    core = np.empty(CELL * coresize, dtype=np.int32)
    queue = np.empty(n * qcap, dtype=np.int32)
    qhead = np.zeros(n, dtype=np.int64)
    qcount = np.zeros(n, dtype=np.int64)
    ring = np.zeros(n, dtype=np.int64)
    reg = np.zeros(N_REGS, dtype=np.int64)
    positions = np.zeros(n, dtype=np.int64)
    pspace = np.zeros(max(n_pspaces, 1) * pssize, dtype=np.int64)
    last_result = np.full(n, coresize - 1, dtype=np.int64)
    turns = np.zeros(n, dtype=np.int64)
    spawned = np.zeros(n, dtype=np.int64)
    covered = np.zeros(n, dtype=np.int64)
    visited = np.zeros(n * coresize, dtype=np.uint8)
    lifetimes = np.zeros(n, dtype=np.int64)
    shares = np.zeros(n)
    span = coresize + 1 - 2 * separation
    permutation = np.empty(2 * span if permutate else 0, dtype=np.int64)
    perm_left = 0
    starter = 0
    for r in range(rounds):
        seed, chosen, perm_left = place_round(positions, n, seed, coresize, separation,
                                              permutation, perm_left)
        if chosen >= 0:
            starter = chosen
        clear_core(core, coresize)
        visited[:] = 0
        for i in range(n):
            warrior = members[i]
            source = pool_offset[warrior] * CELL
            length = pool_length[warrior] * CELL
            destination = positions[i] * CELL
            core[destination:destination + length] = pool_core[source:source + length]
            queue[i * qcap] = positions[i] + pool_entry[warrior]
            qhead[i] = 0
            qcount[i] = 1
            ring[i] = i + 1 if i + 1 < n else 0
            turns[i] = 0
            spawned[i] = 0
            covered[i] = 0
        reg[R_CURRENT] = starter
        reg[R_PREVIOUS] = starter - 1 if starter > 0 else n - 1
        reg[R_ALIVE] = n
        reg[R_BUDGET] = n * maxcycles
        reg[R_OVERRUN] = 0
        execute(core, coresize, queue, qhead, qcount, qcap, maxprocesses, ring, reg,
                pspace, pindex, last_result, pssize, score, n,
                turns, spawned, covered, visited, overrun_limit, -1)
        left = reg[R_ALIVE]
        for i in range(n):
            if qcount[i] > 0:
                score[i * (2 * n - 1) + left - 1] += 1
                last_result[i] = left
                survived[r, i] = 1
                lifetimes[i] = maxcycles
            else:
                last_result[i] = 0
                survived[r, i] = 0
                lifetimes[i] = min(turns[i], maxcycles)
            lifetime[r, i] = lifetimes[i]
            spawned_out[r, i] = spawned[i]
            covered_out[r, i] = covered[i]
        survival_shares(lifetimes, maxcycles, shares)
        fitness[r, :] = shares
        starter = starter + 1 if starter + 1 < n else 0
    return seed


@njit(cache=True, nogil=True, parallel=True)
def play_batch(pool_core, pool_offset, pool_length, pool_entry, members, pindex, n_pspaces,
               seeds, rounds, coresize, maxcycles, maxprocesses, separation, pssize, permutate,
               overrun_limit, score, survived, fitness, lifetime, spawned_out, covered_out):
    """Independent battles in parallel: battle b is `members[b]` from `seeds[b]`, with P-space
    map `pindex[b]`; outputs are indexed by battle first (see `play_battle`)."""
    for b in prange(members.shape[0]):
        play_battle(pool_core, pool_offset, pool_length, pool_entry, members[b], pindex[b],
                    n_pspaces[b], seeds[b], rounds, coresize, maxcycles, maxprocesses,
                    separation, pssize, permutate, overrun_limit, score[b], survived[b],
                    fitness[b], lifetime[b], spawned_out[b], covered_out[b])
