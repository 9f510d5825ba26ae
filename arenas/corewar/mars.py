"""The compiled MARS: executes Redcode exactly as pMARS 0.9.2 does, compiled by Numba.

State, all preallocated (nothing is allocated inside the instruction loop):

- `core`: flat array of 4 * coresize (uint16 when every value fits, else int32: see
  `core_dtype`); cell i occupies [4i, 4i+4) with the columns INS (opcode * 8 + modifier,
  pMARS's numbering), MODES (A mode * 8 + B mode) and the A and B fields stored unsigned
  (0 <= value < coresize).
- `queue`: every warrior's circular process queue (same dtype), `qcap` slots each (a power of
  two >= the process limit, so wrapping is a mask).
- `wstate`: W_FIELDS int64 per warrior: queue head and length, the next living warrior (the
  turn order), statistics, its P-space and its last-result cell.
- `pspace`: every P-space, `pssize` cells each. Cell 0 reads and writes the warrior's own
  last-result value instead, as in pMARS (so warriors sharing a P-space by PIN keep their own).
- `visited`: one byte per warrior and address, set when the warrior executes there: 1 by the
  process loaded at the start (its first turn), 2 by any later, hence queued, process. At the
  end of a round `_coverage` counts, besides the addresses executed, those queued (the DRQ
  study's memory coverage) without any cost per enqueue: a queued process either ran later
  or is still queued.

One instruction follows pMARS's in-register evaluation: the A operand is evaluated first
(predecrement, latch the target's A and B values, postincrement), then the B operand, which sees
A's increments; the operation reads the latched values and writes core at the B address.

The round's instruction budget is warriors x cycles; when a warrior dies the remaining budget is
rescaled as pMARS does, so that survivors keep the same number of turns each.

Arrays are indexed with unsigned integers (`_ix`): every index is non-negative by construction,
and Numba then skips its negative-index wraparound, which matters in this loop.
"""
import numpy as np
from numba import njit, prange

from .instruction import (IMMEDIATE, DIRECT, B_PREDEC, B_POSTINC, A_INDIRECT, A_PREDEC,
                          A_POSTINC, MOV, ADD, SUB, MUL, DIV, MOD, JMZ, JMN, DJN, CMP, SLT, SPL, DAT,
                          JMP, SEQ, SNE, NOP, LDP, STP, M_A, M_B, M_AB, M_BA, M_F, M_X, M_I, OPCODES)
from .core_cells import core_dtype, core_rows
from .placement import place_round

_ix = np.uint64

# Columns of a core cell.
INS, MODES, AF, BF = 0, 1, 2, 3
CELL = 4
# The empty cell, DAT.F $0, $0.
EMPTY_INS = DAT * 8 + M_F
EMPTY_MODES = DIRECT * 8 + DIRECT

# Per-warrior fields of `wstate`.
W_HEAD, W_COUNT, W_NEXT, W_TURNS, W_SPAWNED, W_PSPACE, W_RESULT = range(7)
W_FIELDS = 8

# Scalar machine state kept between calls of `execute`, in the `reg` array.
R_CURRENT, R_PREVIOUS, R_ALIVE, R_BUDGET, R_OVERRUN = range(5)
N_REGS = 5
# An overrun limit meaning "no limit", as in pMARS (the round then ends only by deaths).
UNLIMITED = 2**62

# Sentinels for "where the current process goes next".
_DIES = -1
_QUEUED = -2


def _op(op, modifier):
    return op * 8 + modifier


(MOV_A, MOV_B, MOV_AB, MOV_BA, MOV_F, MOV_X, MOV_I) = (_op(MOV, m) for m in range(7))
(ADD_A, ADD_B, ADD_AB, ADD_BA, ADD_F, ADD_X, ADD_I) = (_op(ADD, m) for m in range(7))
(SUB_A, SUB_B, SUB_AB, SUB_BA, SUB_F, SUB_X, SUB_I) = (_op(SUB, m) for m in range(7))
(MUL_A, MUL_B, MUL_AB, MUL_BA, MUL_F, MUL_X, MUL_I) = (_op(MUL, m) for m in range(7))
(DIV_A, DIV_B, DIV_AB, DIV_BA, DIV_F, DIV_X, DIV_I) = (_op(DIV, m) for m in range(7))
(MOD_A, MOD_B, MOD_AB, MOD_BA, MOD_F, MOD_X, MOD_I) = (_op(MOD, m) for m in range(7))
(CMP_A, CMP_B, CMP_AB, CMP_BA, CMP_F, CMP_X, CMP_I) = (_op(CMP, m) for m in range(7))
(SNE_A, SNE_B, SNE_AB, SNE_BA, SNE_F, SNE_X, SNE_I) = (_op(SNE, m) for m in range(7))
(SLT_A, SLT_B, SLT_AB, SLT_BA, SLT_F, SLT_X, SLT_I) = (_op(SLT, m) for m in range(7))
(LDP_A, LDP_B, LDP_AB, LDP_BA) = (_op(LDP, m) for m in range(4))
(STP_A, STP_B, STP_AB, STP_BA) = (_op(STP, m) for m in range(4))
JMZ_A, JMZ_B, JMZ_F = _op(JMZ, M_A), _op(JMZ, M_B), _op(JMZ, M_F)
JMN_A, JMN_B, JMN_F = _op(JMN, M_A), _op(JMN, M_B), _op(JMN, M_F)
DJN_A, DJN_B, DJN_F = _op(DJN, M_A), _op(DJN, M_B), _op(DJN, M_F)
SPL_ANY, DAT_ANY, JMP_ANY, NOP_ANY = _op(SPL, M_B), _op(DAT, M_F), _op(JMP, M_B), _op(NOP, M_F)


def _behaviour_table() -> np.ndarray:
    """Maps every opcode.modifier to the case that executes it, merging those that behave alike
    (SEQ is CMP; .I acts as .F for arithmetic; JMZ/JMN/DJN .BA as .A, .AB as .B, .X/.I as .F;
    LDP/STP .F/.X/.I as .B; SPL, DAT, JMP and NOP ignore the modifier). CMP.I and SNE.I keep
    their own case: they compare the opcodes themselves."""
    table = np.arange(len(OPCODES) * 8, dtype=np.int64)
    for modifier in range(7):
        table[_op(SEQ, modifier)] = _op(CMP, modifier)
        for op in (SPL, DAT, JMP, NOP):
            table[_op(op, modifier)] = {SPL: SPL_ANY, DAT: DAT_ANY, JMP: JMP_ANY, NOP: NOP_ANY}[op]
    for op in (ADD, SUB, MUL, DIV, MOD, SLT):
        table[_op(op, M_I)] = _op(op, M_F)
    for op in (JMZ, JMN, DJN):
        for modifier, same_as in ((M_BA, M_A), (M_AB, M_B), (M_X, M_F), (M_I, M_F)):
            table[_op(op, modifier)] = _op(op, same_as)
    for op in (LDP, STP):
        for modifier in (M_F, M_X, M_I):
            table[_op(op, modifier)] = _op(op, M_B)
    return table


BEHAVIOUR = _behaviour_table()


@njit(cache=True, nogil=True)
def _pspace_get(pspace, wstate, pssize, ws, address):
    cell = address % pssize
    if cell == 0:
        return wstate[_ix(ws + W_RESULT)]
    return pspace[_ix(wstate[_ix(ws + W_PSPACE)] * pssize + cell)]


@njit(cache=True, nogil=True)
def _pspace_load(pspace, wstate, pssize, ws, address, coresize):
    """A P-space value for a core field. Only a last result can reach the core size (when
    every one of `coresize` warriors survives); it is wrapped so that addresses stay in core."""
    return _pspace_get(pspace, wstate, pssize, ws, address) % coresize


@njit(cache=True, nogil=True)
def _pspace_set(pspace, wstate, pssize, ws, address, value):
    cell = address % pssize
    if cell == 0:
        wstate[_ix(ws + W_RESULT)] = value
    else:
        pspace[_ix(wstate[_ix(ws + W_PSPACE)] * pssize + cell)] = value


@njit(cache=True, nogil=True)
def _add(x, y, coresize):
    z = x + y
    return z - coresize if z >= coresize else z


@njit(cache=True, nogil=True)
def _sub(x, y, coresize):
    z = x - y
    return z + coresize if z < 0 else z


@njit(cache=True, nogil=True)
def _skip(pc, coresize):
    """The address after the next instruction."""
    z = pc + 2
    return z - coresize if z >= coresize else z


@njit(cache=True, nogil=True)
def _decrement(core, index, last):
    value = np.int64(core[_ix(index)]) - 1
    core[_ix(index)] = last if value < 0 else value


@njit(cache=True, nogil=True)
def execute(core, coresize, queue, qcap, maxprocesses, wstate, reg, pspace, pssize,
            score, n_warriors, visited, overrun_limit, max_steps, pair=None):
    """Run the loaded round until the budget is spent, fewer than two warriors are left
    (none, for a one-warrior battle), or `max_steps` instructions (None: no limit) were
    executed. Returns the number of instructions executed; state lives in the arrays passed.

    pMARS quirk kept on purpose: when a warrior dies on the last instruction of the budget with
    three or more warriors alive, pMARS's cycle counter passes zero and the round only ends when
    fewer than two warriors are left (possibly never). Here the round then goes on for at most
    `overrun_limit` more instructions (UNLIMITED reproduces pMARS exactly).

    `pair` (True for a round of two living warriors 0 and 1, None otherwise) compiles a loop
    that keeps both warriors' queue head (as an index into `queue`) and process count in local
    variables, swapped every turn, instead of reading and writing them in `wstate` each
    instruction (about 10% faster). Either way `wstate` holds them when the call returns."""
    mask = qcap - 1
    last = coresize - 1
    w = reg[R_CURRENT]
    previous = reg[R_PREVIOUS]
    alive = reg[R_ALIVE]
    budget = reg[R_BUDGET]
    overrun = reg[R_OVERRUN] != 0
    steps = 0
    head = tasks = o_head = o_tasks = 0
    if pair is not None:
        # Warriors 0 and 1; heads held as queue indices (the warrior's queue base included).
        head = w * qcap + wstate[_ix(w * W_FIELDS + W_HEAD)]
        tasks = wstate[_ix(w * W_FIELDS + W_COUNT)]
        o_head = (1 - w) * qcap + wstate[_ix((1 - w) * W_FIELDS + W_HEAD)]
        o_tasks = wstate[_ix((1 - w) * W_FIELDS + W_COUNT)]
    while budget > 0:
        if max_steps is not None:      # None (battles): Numba compiles this test away
            if steps == max_steps:
                break
        steps += 1
        # Fetch: pop the warrior's next process.
        ws = w * W_FIELDS
        if pair is None:
            qbase = w * qcap
            head = wstate[_ix(ws + W_HEAD)]
            tasks = wstate[_ix(ws + W_COUNT)]   # processes, counting the one executing (as pMARS)
            pc = np.int64(queue[_ix(qbase + head)])
            head = (head + 1) & mask
            wstate[_ix(ws + W_HEAD)] = head
        else:
            qbase = head - (head & mask)
            pc = np.int64(queue[_ix(head)])
            head = qbase + ((head + 1) & mask)
        tail = qbase + ((head + tasks - 1) & mask)  # where this process's successor is queued
        if visited is not None:        # None: no statistics (compiled away)
            turns = wstate[_ix(ws + W_TURNS)] + 1
            wstate[_ix(ws + W_TURNS)] = turns
            visited[_ix(w * coresize + pc)] = 2 if turns > 1 else 1

        p = pc * CELL
        kind = BEHAVIOUR[_ix(core[_ix(p + INS)])]
        modes = np.int64(core[_ix(p + MODES)])
        ira = np.int64(core[_ix(p + AF)])
        irb = np.int64(core[_ix(p + BF)])

        # A operand: its address, and the A and B values latched from its target.
        amode = modes >> 3
        if amode == IMMEDIATE:
            addr_a = pc
            aa = ira
            ab = irb
        else:
            addr_a = _add(pc, ira, coresize)
            if amode == DIRECT:
                aa = np.int64(core[_ix(addr_a * CELL + AF)])
                ab = np.int64(core[_ix(addr_a * CELL + BF)])
            else:
                field = addr_a * CELL + (AF if amode >= A_INDIRECT else BF)
                offset = np.int64(core[_ix(field)])
                if amode == B_PREDEC or amode == A_PREDEC:
                    offset = last if offset == 0 else offset - 1
                    core[_ix(field)] = offset
                addr_a = _add(addr_a, offset, coresize)
                aa = np.int64(core[_ix(addr_a * CELL + AF)])
                ab = np.int64(core[_ix(addr_a * CELL + BF)])
                if amode == B_POSTINC or amode == A_POSTINC:
                    # After latching: a target that is the pointer cell sees the old value.
                    core[_ix(field)] = 0 if offset == last else offset + 1

        # B operand, evaluated after A's increments. Immediate: the instruction's own fields.
        bmode = modes & 7
        if bmode == IMMEDIATE:
            addr_b = pc
            ba = ira
            bb = irb
        else:
            addr_b = _add(pc, irb, coresize)
            if bmode == DIRECT:
                ba = np.int64(core[_ix(addr_b * CELL + AF)])
                bb = np.int64(core[_ix(addr_b * CELL + BF)])
            else:
                field = addr_b * CELL + (AF if bmode >= A_INDIRECT else BF)
                offset = np.int64(core[_ix(field)])
                if bmode == B_PREDEC or bmode == A_PREDEC:
                    offset = last if offset == 0 else offset - 1
                    core[_ix(field)] = offset
                addr_b = _add(addr_b, offset, coresize)
                ba = np.int64(core[_ix(addr_b * CELL + AF)])
                bb = np.int64(core[_ix(addr_b * CELL + BF)])
                if bmode == B_POSTINC or bmode == A_POSTINC:
                    # After latching: a target that is the pointer cell sees the old value.
                    core[_ix(field)] = 0 if offset == last else offset + 1

        pa = addr_a * CELL
        pb = addr_b * CELL
        following = pc + 1
        if following == coresize:
            following = 0
        target = following  # where this process continues; _DIES or _QUEUED are sentinels

        # One dispatch on the behaviour of opcode.modifier.
        if kind == MOV_I:
            core[_ix(pb + INS)] = core[_ix(pa + INS)]
            core[_ix(pb + MODES)] = core[_ix(pa + MODES)]
            core[_ix(pb + AF)] = aa
            core[_ix(pb + BF)] = ab
        elif kind == SPL_ANY:
            queue[_ix(tail)] = following
            if tasks < maxprocesses:
                queue[_ix(qbase + ((head + tasks) & mask))] = addr_a   # head: already popped
                tasks += 1
                if pair is None:
                    wstate[_ix(ws + W_COUNT)] = tasks
                if visited is not None:
                    wstate[_ix(ws + W_SPAWNED)] += 1
            target = _QUEUED
        elif kind == DAT_ANY:
            target = _DIES
        elif kind == JMP_ANY:
            target = addr_a
        elif kind == MOV_A:
            core[_ix(pb + AF)] = aa
        elif kind == MOV_B:
            core[_ix(pb + BF)] = ab
        elif kind == MOV_AB:
            core[_ix(pb + BF)] = aa
        elif kind == MOV_BA:
            core[_ix(pb + AF)] = ab
        elif kind == MOV_F:
            core[_ix(pb + AF)] = aa
            core[_ix(pb + BF)] = ab
        elif kind == MOV_X:
            core[_ix(pb + BF)] = aa
            core[_ix(pb + AF)] = ab
        elif kind == ADD_A:
            core[_ix(pb + AF)] = _add(ba, aa, coresize)
        elif kind == ADD_B:
            core[_ix(pb + BF)] = _add(bb, ab, coresize)
        elif kind == ADD_AB:
            core[_ix(pb + BF)] = _add(bb, aa, coresize)
        elif kind == ADD_BA:
            core[_ix(pb + AF)] = _add(ba, ab, coresize)
        elif kind == ADD_F:
            core[_ix(pb + AF)] = _add(ba, aa, coresize)
            core[_ix(pb + BF)] = _add(bb, ab, coresize)
        elif kind == ADD_X:
            core[_ix(pb + BF)] = _add(bb, aa, coresize)
            core[_ix(pb + AF)] = _add(ba, ab, coresize)
        elif kind == SUB_A:
            core[_ix(pb + AF)] = _sub(ba, aa, coresize)
        elif kind == SUB_B:
            core[_ix(pb + BF)] = _sub(bb, ab, coresize)
        elif kind == SUB_AB:
            core[_ix(pb + BF)] = _sub(bb, aa, coresize)
        elif kind == SUB_BA:
            core[_ix(pb + AF)] = _sub(ba, ab, coresize)
        elif kind == SUB_F:
            core[_ix(pb + AF)] = _sub(ba, aa, coresize)
            core[_ix(pb + BF)] = _sub(bb, ab, coresize)
        elif kind == SUB_X:
            core[_ix(pb + BF)] = _sub(bb, aa, coresize)
            core[_ix(pb + AF)] = _sub(ba, ab, coresize)
        elif kind == MUL_A:
            core[_ix(pb + AF)] = ba * aa % coresize
        elif kind == MUL_B:
            core[_ix(pb + BF)] = bb * ab % coresize
        elif kind == MUL_AB:
            core[_ix(pb + BF)] = bb * aa % coresize
        elif kind == MUL_BA:
            core[_ix(pb + AF)] = ba * ab % coresize
        elif kind == MUL_F:
            core[_ix(pb + AF)] = ba * aa % coresize
            core[_ix(pb + BF)] = bb * ab % coresize
        elif kind == MUL_X:
            core[_ix(pb + BF)] = bb * aa % coresize
            core[_ix(pb + AF)] = ba * ab % coresize
        elif kind == DIV_A or kind == MOD_A:
            if aa == 0:
                target = _DIES
            else:
                core[_ix(pb + AF)] = ba // aa if kind == DIV_A else ba % aa
        elif kind == DIV_B or kind == MOD_B:
            if ab == 0:
                target = _DIES
            else:
                core[_ix(pb + BF)] = bb // ab if kind == DIV_B else bb % ab
        elif kind == DIV_AB or kind == MOD_AB:
            if aa == 0:
                target = _DIES
            else:
                core[_ix(pb + BF)] = bb // aa if kind == DIV_AB else bb % aa
        elif kind == DIV_BA or kind == MOD_BA:
            if ab == 0:
                target = _DIES
            else:
                core[_ix(pb + AF)] = ba // ab if kind == DIV_BA else ba % ab
        elif kind == DIV_F or kind == MOD_F or kind == DIV_X or kind == MOD_X:
            # Both halves; the one with a non-zero divisor is written even if the other kills.
            crossed = kind == DIV_X or kind == MOD_X
            a_divisor = ab if crossed else aa     # A <- B.a / A.a   (.X: B.a / A.b)
            b_divisor = aa if crossed else ab     # B <- B.b / A.b   (.X: B.b / A.a)
            divide = kind == DIV_F or kind == DIV_X
            if a_divisor != 0:
                core[_ix(pb + AF)] = ba // a_divisor if divide else ba % a_divisor
            if b_divisor != 0:
                core[_ix(pb + BF)] = bb // b_divisor if divide else bb % b_divisor
            if a_divisor == 0 or b_divisor == 0:
                target = _DIES
        elif kind == JMZ_A:
            if ba == 0:
                target = addr_a
        elif kind == JMZ_B:
            if bb == 0:
                target = addr_a
        elif kind == JMZ_F:
            if ba == 0 and bb == 0:
                target = addr_a
        elif kind == JMN_A:
            if ba != 0:
                target = addr_a
        elif kind == JMN_B:
            if bb != 0:
                target = addr_a
        elif kind == JMN_F:
            if ba != 0 or bb != 0:
                target = addr_a
        elif kind == DJN_A:
            # Decrements core, tests the latched value: falls through when it was 1.
            _decrement(core, pb + AF, last)
            if ba != 1:
                target = addr_a
        elif kind == DJN_B:
            _decrement(core, pb + BF, last)
            if bb != 1:
                target = addr_a
        elif kind == DJN_F:
            _decrement(core, pb + BF, last)
            _decrement(core, pb + AF, last)
            if ba != 1 or bb != 1:
                target = addr_a
        elif kind == CMP_A:
            if ba == aa:
                target = _skip(pc, coresize)
        elif kind == CMP_B:
            if bb == ab:
                target = _skip(pc, coresize)
        elif kind == CMP_AB:
            if bb == aa:
                target = _skip(pc, coresize)
        elif kind == CMP_BA:
            if ba == ab:
                target = _skip(pc, coresize)
        elif kind == CMP_F:
            if ba == aa and bb == ab:
                target = _skip(pc, coresize)
        elif kind == CMP_X:
            if bb == aa and ba == ab:
                target = _skip(pc, coresize)
        elif kind == CMP_I:
            # Opcode, modifier and modes from core; the numbers latched.
            if (core[_ix(pb + INS)] == core[_ix(pa + INS)] and core[_ix(pb + MODES)] == core[_ix(pa + MODES)]
                    and ba == aa and bb == ab):
                target = _skip(pc, coresize)
        elif kind == SNE_A:
            if ba != aa:
                target = _skip(pc, coresize)
        elif kind == SNE_B:
            if bb != ab:
                target = _skip(pc, coresize)
        elif kind == SNE_AB:
            if bb != aa:
                target = _skip(pc, coresize)
        elif kind == SNE_BA:
            if ba != ab:
                target = _skip(pc, coresize)
        elif kind == SNE_F:
            if ba != aa or bb != ab:
                target = _skip(pc, coresize)
        elif kind == SNE_X:
            if bb != aa or ba != ab:
                target = _skip(pc, coresize)
        elif kind == SNE_I:
            if not (core[_ix(pb + INS)] == core[_ix(pa + INS)] and core[_ix(pb + MODES)] == core[_ix(pa + MODES)]
                    and ba == aa and bb == ab):
                target = _skip(pc, coresize)
        elif kind == SLT_A:
            if aa < ba:
                target = _skip(pc, coresize)
        elif kind == SLT_B:
            if ab < bb:
                target = _skip(pc, coresize)
        elif kind == SLT_AB:
            if aa < bb:
                target = _skip(pc, coresize)
        elif kind == SLT_BA:
            if ab < ba:
                target = _skip(pc, coresize)
        elif kind == SLT_F:
            if aa < ba and ab < bb:
                target = _skip(pc, coresize)
        elif kind == SLT_X:
            if aa < bb and ab < ba:
                target = _skip(pc, coresize)
        elif kind == LDP_A:
            core[_ix(pb + AF)] = _pspace_load(pspace, wstate, pssize, ws, aa, coresize)
        elif kind == LDP_B:
            core[_ix(pb + BF)] = _pspace_load(pspace, wstate, pssize, ws, ab, coresize)
        elif kind == LDP_AB:
            core[_ix(pb + BF)] = _pspace_load(pspace, wstate, pssize, ws, aa, coresize)
        elif kind == LDP_BA:
            core[_ix(pb + AF)] = _pspace_load(pspace, wstate, pssize, ws, ab, coresize)
        elif kind == STP_A:
            _pspace_set(pspace, wstate, pssize, ws, ba, aa)
        elif kind == STP_B:
            _pspace_set(pspace, wstate, pssize, ws, bb, ab)
        elif kind == STP_AB:
            _pspace_set(pspace, wstate, pssize, ws, bb, aa)
        elif kind == STP_BA:
            _pspace_set(pspace, wstate, pssize, ws, ba, ab)
        # NOP_ANY: nothing.

        if target >= 0:
            queue[_ix(tail)] = target
        elif target == _DIES:
            tasks -= 1
            if pair is None:
                wstate[_ix(ws + W_COUNT)] = tasks
            if tasks == 0:
                # The warrior's last process died: pMARS's death bookkeeping, then rescale.
                score[_ix(w * (2 * n_warriors - 1) + alive + n_warriors - 2)] += 1
                if not overrun:
                    budget = budget - 1 - (budget - 1) // alive
                    if budget == 0:
                        # A death on the budget's last instruction: pMARS's counter steps below
                        # zero and the round goes on until fewer than two warriors are left.
                        overrun = True
                        budget = overrun_limit + 1
                alive -= 1
                following_warrior = wstate[_ix(ws + W_NEXT)]
                if alive < 2:
                    w = following_warrior
                    if pair is not None:    # the state in hand becomes the new current's
                        head, o_head = o_head, head
                        tasks, o_tasks = o_tasks, tasks
                    break
                wstate[_ix(previous * W_FIELDS + W_NEXT)] = following_warrior
                w = following_warrior
                budget -= 1
                continue
        previous = w
        if pair is None:
            w = wstate[_ix(ws + W_NEXT)]
        else:
            w = 1 - w
            head, o_head = o_head, head
            tasks, o_tasks = o_tasks, tasks
        budget -= 1
    if pair is not None:
        wstate[_ix(w * W_FIELDS + W_HEAD)] = head & mask
        wstate[_ix(w * W_FIELDS + W_COUNT)] = tasks
        wstate[_ix((1 - w) * W_FIELDS + W_HEAD)] = o_head & mask
        wstate[_ix((1 - w) * W_FIELDS + W_COUNT)] = o_tasks
    reg[R_CURRENT] = w
    reg[R_PREVIOUS] = previous
    reg[R_ALIVE] = alive
    reg[R_BUDGET] = budget
    reg[R_OVERRUN] = overrun
    return steps


@njit(cache=True, nogil=True)
def clear_core(core, coresize):
    for cell in range(coresize):
        p = cell * CELL
        core[p + INS] = EMPTY_INS
        core[p + MODES] = EMPTY_MODES
        core[p + AF] = 0
        core[p + BF] = 0


@njit(cache=True, nogil=True)
def _coverage(visited, coresize, queue, qcap, wstate, w, entry):
    """(addresses executed, addresses queued) by warrior w in the round just played. Every
    process but the load-time one (at `entry`) was queued, then ran (flag 2) or is still queued;
    the load-time process alone leaves flag 1."""
    if wstate[w * W_FIELDS + W_TURNS] == 0:
        return 0, 0                     # never ran: its queue holds only the load-time process
    base = w * coresize
    executed = np.count_nonzero(visited[base:base + coresize])
    queued = executed - 1 if visited[base + entry] == 1 else executed
    head, count = wstate[w * W_FIELDS + W_HEAD], wstate[w * W_FIELDS + W_COUNT]
    for k in range(count):
        address = base + np.int64(queue[w * qcap + ((head + k) & (qcap - 1))])
        if visited[address] < 2:        # queued, not yet counted: never ran, or the entry
            visited[address] = 2
            queued += 1
    return executed, queued


@njit(cache=True, nogil=True)
def survival_shares(lifetimes, maxcycles, out):
    """Survival fitness of one round: every cycle each living warrior earns 1 / (warriors alive);
    the total is divided by the cycle limit and multiplied by the number of warriors.
    `lifetimes[i]` is the number of cycles warrior i was alive (the cycle limit for survivors).
    A lone survivor of a full battle gets n; if all survive, each gets 1; the shares sum to n."""
    n = lifetimes.shape[0]
    order = np.argsort(lifetimes)
    total, start = 0.0, 0
    for k in range(n):
        end = lifetimes[order[k]]
        total += (end - start) / (n - k)   # n - k warriors are alive from `start` to `end`
        out[order[k]] = total * n / maxcycles
        start = end


@njit(cache=True, nogil=True)
def load_round(core, coresize, queue, qcap, wstate, reg, visited, pool_core, pool_offset,
               pool_length, pool_entry, members, positions, starter, maxcycles):
    """Empty core, the warriors copied to their positions, one process each at its entry."""
    n = members.shape[0]
    clear_core(core, coresize)
    visited[:] = 0
    for i in range(n):
        warrior = members[i]
        source = pool_offset[warrior] * CELL
        length = pool_length[warrior] * CELL
        destination = positions[i] * CELL
        core[destination:destination + length] = pool_core[source:source + length]
        # Modulo the core: a start outside the program (pMARS warns) may point past the end,
        # where pMARS reads outside its core array (and may crash); here it wraps around.
        queue[i * qcap] = (positions[i] + pool_entry[warrior]) % coresize
        ws = i * W_FIELDS
        wstate[ws + W_HEAD] = 0
        wstate[ws + W_COUNT] = 1
        wstate[ws + W_NEXT] = i + 1 if i + 1 < n else 0
        wstate[ws + W_TURNS] = 0
        wstate[ws + W_SPAWNED] = 0
    reg[R_CURRENT] = starter
    reg[R_PREVIOUS] = starter - 1 if starter > 0 else n - 1
    reg[R_ALIVE] = n
    reg[R_BUDGET] = n * maxcycles
    reg[R_OVERRUN] = 0


@njit(cache=True, nogil=True)
def new_state(n, coresize, maxprocesses, pindex, n_pspaces, pssize, pool_core):
    """Preallocated machine state for battles of n warriors; P-space cleared, last results set
    to coresize - 1 as pMARS starts them. The core has the pool's dtype (see `core_dtype`)."""
    qcap = 1
    while qcap < maxprocesses:
        qcap *= 2
    core = np.empty(CELL * coresize, dtype=pool_core.dtype)
    queue = np.zeros(n * qcap, dtype=pool_core.dtype)
    wstate = np.zeros(n * W_FIELDS, dtype=np.int64)
    for i in range(n):
        wstate[i * W_FIELDS + W_PSPACE] = pindex[i]
        wstate[i * W_FIELDS + W_RESULT] = coresize - 1
    reg = np.zeros(N_REGS, dtype=np.int64)
    pspace = np.zeros(max(n_pspaces, 1) * pssize, dtype=np.int64)
    visited = np.zeros(n * coresize, dtype=np.uint8)
    return core, queue, qcap, wstate, reg, pspace, visited


@njit(cache=True, nogil=True)
def play_battle(pool_core, pool_offset, pool_length, pool_entry, members, pindex, n_pspaces,
                seed, rounds, coresize, maxcycles, maxprocesses, separation, pssize, permutate,
                overrun_limit, statistics, score, survived, fitness, lifetime, spawned_out,
                covered_out, enqueued_out):
    """A battle of several rounds between the pool warriors `members` (in command-line order),
    placed from the pMARS seed `seed`. Writes pMARS's per-warrior score table `score`
    (n x (2n - 1): survivals by number of survivors, then deaths by order) and per-round,
    per-warrior arrays: `survived` (0/1), `fitness`, `lifetime` (cycles alive), `spawned_out`,
    `covered_out` (addresses executed) and `enqueued_out` (addresses queued), all left zero when
    `statistics` is None: Numba then compiles a loop without them, as fast as it gets for
    pMARS's own results. P-space lives for the whole battle.
    Returns the number of instructions executed."""
    n = members.shape[0]
    core, queue, qcap, wstate, reg, pspace, visited = new_state(n, coresize, maxprocesses, pindex,
                                                                n_pspaces, pssize, pool_core)
    positions = np.zeros(n, dtype=np.int64)
    lifetimes = np.zeros(n, dtype=np.int64)
    shares = np.zeros(n)
    span = coresize + 1 - 2 * separation
    permutation = np.empty(2 * span if permutate else 0, dtype=np.int64)
    perm_left = 0
    starter = 0
    executed = 0
    for r in range(rounds):
        seed, chosen, perm_left = place_round(positions, n, seed, coresize, separation,
                                              permutation, perm_left)
        if chosen >= 0:
            starter = chosen
        load_round(core, coresize, queue, qcap, wstate, reg, visited, pool_core, pool_offset,
                   pool_length, pool_entry, members, positions, starter, maxcycles)
        if statistics is None and n == 2:
            executed += execute(core, coresize, queue, qcap, maxprocesses, wstate, reg, pspace,
                                pssize, score, n, None, overrun_limit, None, True)
        elif statistics is None:
            executed += execute(core, coresize, queue, qcap, maxprocesses, wstate, reg, pspace,
                                pssize, score, n, None, overrun_limit, None)
        elif n == 2:
            executed += execute(core, coresize, queue, qcap, maxprocesses, wstate, reg, pspace,
                                pssize, score, n, visited, overrun_limit, None, True)
        else:
            executed += execute(core, coresize, queue, qcap, maxprocesses, wstate, reg, pspace,
                                pssize, score, n, visited, overrun_limit, None)
        left = reg[R_ALIVE]
        for i in range(n):
            ws = i * W_FIELDS
            if wstate[ws + W_COUNT] > 0:
                score[i * (2 * n - 1) + left - 1] += 1
                wstate[ws + W_RESULT] = left
                survived[r, i] = 1
                lifetimes[i] = maxcycles
            else:
                wstate[ws + W_RESULT] = 0
                survived[r, i] = 0
                lifetimes[i] = min(wstate[ws + W_TURNS], maxcycles)
        if statistics is not None:
            for i in range(n):
                lifetime[r, i] = lifetimes[i]
                spawned_out[r, i] = wstate[i * W_FIELDS + W_SPAWNED]
                entry = (positions[i] + pool_entry[members[i]]) % coresize
                covered_out[r, i], enqueued_out[r, i] = _coverage(visited, coresize, queue, qcap, wstate, i,
                                                                  entry)
            survival_shares(lifetimes, maxcycles, shares)
            fitness[r, :] = shares
        starter = starter + 1 if starter + 1 < n else 0
    return executed


@njit(cache=True, nogil=True, parallel=True)
def play_batch(pool_core, pool_offset, pool_length, pool_entry, members, pindex, n_pspaces,
               seeds, rounds, coresize, maxcycles, maxprocesses, separation, pssize, permutate,
               overrun_limit, statistics, score, survived, fitness, lifetime, spawned_out, covered_out,
               enqueued_out):
    """Independent battles in parallel: battle b is `members[b]` from `seeds[b]`, with P-space
    map `pindex[b]`; outputs are indexed by battle first (see `play_battle`)."""
    for b in prange(members.shape[0]):
        play_battle(pool_core, pool_offset, pool_length, pool_entry, members[b], pindex[b],
                    n_pspaces[b], seeds[b], rounds, coresize, maxcycles, maxprocesses,
                    separation, pssize, permutate, overrun_limit, statistics, score[b], survived[b],
                    fitness[b], lifetime[b], spawned_out[b], covered_out[b], enqueued_out[b])


class Machine:
    """A MARS to drive by hand: load instructions anywhere, start processes, execute a few
    instructions, inspect core and queues. For tests and debugging; battles use `play_battle`.

    Warriors take turns in index order starting with warrior 0; all warriors are alive while
    they have processes (start at least one process per warrior before stepping)."""

    def __init__(self, settings, n_warriors=1, pspace_index=None, pspace_size=None):
        self.settings = settings
        self.n = n_warriors
        self.pssize = pspace_size or settings.pspace
        pindex = np.asarray(pspace_index if pspace_index is not None else range(n_warriors), np.int64)
        template = np.zeros(1, dtype=core_dtype(settings.coresize))
        (self.core, self.queue, self.qcap, self.wstate, self.reg, self.pspace,
         self.visited) = new_state(n_warriors, settings.coresize, settings.maxprocesses, pindex,
                                   int(pindex.max()) + 1, self.pssize, template)
        self.score = np.zeros(n_warriors * (2 * n_warriors - 1), dtype=np.int64)
        clear_core(self.core, settings.coresize)
        for i in range(n_warriors):
            self.wstate[i * W_FIELDS + W_COUNT] = 0
            self.wstate[i * W_FIELDS + W_NEXT] = (i + 1) % n_warriors
        self.reg[:] = (0, n_warriors - 1, n_warriors, n_warriors * settings.maxcycles, 0)

    def load(self, address, code):
        """Write (n, 6) code rows (see `instruction`) at `address` onwards."""
        for k, row in enumerate(core_rows(code)):
            cell = (address + k) % self.settings.coresize
            self.core[cell * CELL:(cell + 1) * CELL] = row

    def spawn(self, warrior, address):
        """Queue a new process for `warrior` at `address`."""
        ws = warrior * W_FIELDS
        count = self.wstate[ws + W_COUNT]
        self.queue[warrior * self.qcap + (self.wstate[ws + W_HEAD] + count) % self.qcap] = address
        self.wstate[ws + W_COUNT] = count + 1

    def step(self, steps=1):
        """Execute up to `steps` instructions; returns how many ran."""
        return execute(self.core, self.settings.coresize, self.queue, self.qcap,
                       self.settings.maxprocesses, self.wstate, self.reg, self.pspace, self.pssize,
                       self.score, self.n, self.visited, 0, steps)

    def cell(self, address):
        """(op, modifier, a_mode, a, b_mode, b) of the cell at `address`."""
        ins, modes, a, b = (int(v) for v in self.core[address * CELL:(address + 1) * CELL])
        return ins >> 3, ins & 7, modes >> 3, a, modes & 7, b

    def processes(self, warrior):
        """The warrior's queued process addresses, next to run first."""
        ws = warrior * W_FIELDS
        head, count = self.wstate[ws + W_HEAD], self.wstate[ws + W_COUNT]
        return [int(self.queue[warrior * self.qcap + (head + k) % self.qcap]) for k in range(count)]

    def pspace_cell(self, warrior, address):
        ws = warrior * W_FIELDS
        return int(_pspace_get(self.pspace, self.wstate, self.pssize, ws, address))

    @property
    def alive(self):
        return int(self.reg[R_ALIVE])

    def turns(self, warrior):
        return int(self.wstate[warrior * W_FIELDS + W_TURNS])


@njit(cache=True, nogil=True)
def play_range(start, stop, pool_core, pool_offset, pool_length, pool_entry, members, pindex,
               n_pspaces, seeds, rounds, coresize, maxcycles, maxprocesses, separation, pssize,
               permutate, overrun_limit, statistics, score, survived, fitness, lifetime, spawned_out,
               covered_out, enqueued_out):
    """Battles start..stop-1 of a batch, one after the other, without the GIL (for threads)."""
    for b in range(start, stop):
        play_battle(pool_core, pool_offset, pool_length, pool_entry, members[b], pindex[b],
                    n_pspaces[b], seeds[b], rounds, coresize, maxcycles, maxprocesses,
                    separation, pssize, permutate, overrun_limit, statistics, score[b], survived[b],
                    fitness[b], lifetime[b], spawned_out[b], covered_out[b], enqueued_out[b])
