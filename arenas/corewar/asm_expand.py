"""The text pass of the assembler: labels, EQU, FOR/ROF, CURLINE, `&` and `;assert`.

This follows pMARS 0.9.2's first pass (asm.c: expand, trav2, equtbl, equsub, blkfor) closely,
because its textual rules decide what is accepted and how expressions read:
- each source line is scanned token by token into an output line that starts with the opcode
  (upper-cased, with whatever is glued to it up to the next blank, e.g. `MOV.AB#1`);
- a label already defined earlier is replaced by its offset from the current instruction
  (absolute for ORG/END/PIN); later labels are left for the encoding pass;
- an EQU name is replaced by its text (several lines for a multi-line EQU); the text is kept
  raw and scanned where it is used;
- tokens in an operand are copied without the blanks between them, except that a blank after
  a name or a substituted value is kept: `DAT 1 2` reads as `DAT 12`, as in pMARS;
- `FOR n` ... `ROF` repeats its lines n times (n taken as a 16-bit count, as pMARS does); the
  label just before FOR counts the repetitions (01, 02, ...), and `name&counter` pastes it;
  a count <= 0 skips the block;
- `END` ends the source.
Expansion is bounded: more than MAXLENGTH instructions, or more than WORK_LIMIT line scans and
substitutions, is an error (pMARS may loop forever on some such inputs).
"""
from __future__ import annotations

from typing import NoReturn

from .asm_diag import Diagnostics
from .asm_expr import DIV_ZERO, MAX_DIGITS, OK, OVERFLOW, UNDEFINED, Evaluator
from .asm_lines import ScratchBuffer, SourceLine
from .asm_tokens import (COMMENT, SPACES, WORD, first_token_at, is_alpha_at, is_space_at,
                         next_token, tokenize)
from .instruction import OPCODES

# What a scan found, after pMARS's trav2 codes; the order matters (<= LABELS: at line start).
FAILED, NOTHING, LABELS, VALUE, INSTRUCTION, PSEUDO, FOR_BLOCK, ROF_MARK = -1, 0, 1, 2, 3, 4, 5, 6

PSEUDO_OPS = ("ORG", "END", "PIN")
OPERATION_NAMES = {name: number for number, name in enumerate(OPCODES + PSEUDO_OPS)}
N_OPCODES = len(OPCODES)
KEYWORDS = frozenset(("ROF", "FOR", "EQU", *OPERATION_NAMES))
END_OP = OPERATION_NAMES["END"]

TEXT, COUNTER, LABEL = "text", "counter", "label"
BUFFER_LIMIT = 255      # pMARS's line buffers hold 255 characters
GROUP_LIMIT = 7         # labels waiting for one declaration
WORK_LIMIT = 250_000    # line scans in FOR blocks plus EQU substitutions


class Symbol:
    """A name's meaning: EQU text (lines), a FOR counter or a label (value)."""
    __slots__ = ("kind", "value", "lines", "visiting")

    def __init__(self, kind: str, value: int = 0, lines: list[SourceLine] | None = None):
        self.kind, self.value, self.lines, self.visiting = kind, value, lines or [], False


class Buffer:
    """An output line of at most BUFFER_LIMIT characters."""
    __slots__ = ("text",)

    def __init__(self):
        self.text = ""

    def add(self, piece: str) -> bool:
        if len(self.text) + len(piece) > BUFFER_LIMIT:
            return False
        self.text += piece
        return True


class Expander:
    def __init__(self, lines: list[SourceLine], predefined: dict[str, int],
                 evaluator: Evaluator, diag: Diagnostics, max_instructions: int,
                 scratch: ScratchBuffer | None = None):
        self.symbols: dict[str, list[Symbol]] = {}
        for name, value in predefined.items():
            self._define([name], Symbol(TEXT, lines=[SourceLine(str(value), 0, "")]))
        self.evaluator, self.diag, self.max_instructions = evaluator, diag, max_instructions
        self.output: list[tuple[str, SourceLine]] = []   # (instruction text, source line)
        self.count = 0              # instructions so far: what labels are worth
        self.pending: list[str] = []    # labels waiting for their declaration
        self.skipping = 0           # depth of FOR blocks being skipped (count <= 0)
        self.going = True           # False after END or an unclosed FOR
        self.assert_seen = False
        self.work = 0
        self.lines, self.index = lines, 0   # the line being read, in its sequence
        self.scratch = scratch or ScratchBuffer()   # pMARS's `buf`, see asm_lines

    # ---- driver -------------------------------------------------------------------------------
    def run(self) -> list[tuple[str, SourceLine]]:
        while self.index < len(self.lines) and self.going:
            dest = Buffer()
            found = self.scan(self.lines[self.index].text, 0, dest, NOTHING)
            if found == INSTRUCTION:
                self._emit(dest)
            elif found == ROF_MARK:
                self._fail("FORERR", "Unopened FOR")
            self.index += 1
        if self.pending:
            self.diag.warning("DLBERR", f"Discarding these labels: '{' '.join(reversed(self.pending))}'")
            self.pending = []
        return self.output

    @property
    def line(self) -> SourceLine:
        return self.lines[self.index]

    def _emit(self, dest: Buffer):
        self.output.append((dest.text, self.line))

    def _fail(self, kind: str, reason: str) -> NoReturn:
        self.diag.error(kind, reason, self.line, abandon=True)

    def _spend(self):
        self.work += 1
        if self.work > WORK_LIMIT:
            self.diag.error("WORK", f"FOR/EQU expansion too large (more than {WORK_LIMIT} steps)",
                            self.line, abandon=True)

    # ---- symbols ------------------------------------------------------------------------------
    def lookup(self, name: str) -> Symbol | None:
        stack = self.symbols.get(name)
        return stack[-1] if stack else None

    def _define(self, names: list[str], symbol: Symbol):
        for name in names:
            self.symbols.setdefault(name, []).append(symbol)

    def _forget(self, names: list[str], symbol: Symbol):
        for name in names:
            stack = self.symbols[name]
            stack.remove(symbol)

    def _define_pending(self, kind: str, **fields) -> Symbol:
        symbol = Symbol(kind, **fields)
        self._define(self.pending, symbol)
        self.pending = []
        return symbol

    # ---- the scanner (pMARS's trav2) ------------------------------------------------------------
    def scan(self, text: str, pos: int, dest: Buffer, state: int) -> int:
        """Scan `text` from `pos` into `dest`; `state` says what came before on the line."""
        tokens = tokenize(text)
        index = first_token_at(tokens, pos) if pos else 0
        count, length = len(tokens), len(text)
        while index < count:
            kind, token, _start, after = tokens[index]
            index += 1
            if kind == COMMENT:                     # only `;assert` lines get here
                if state == NOTHING and not self.skipping:
                    self._check_assert(text, after, dest)
                return state
            if kind != WORD:
                if self.skipping:
                    return NOTHING
                if state <= LABELS:
                    self._fail("TOKERR", f"Unrecognized or improper placement of token: '{token}'")
                self._append(dest, token)
                continue
            word = token.upper()
            self.scratch.record(word)
            if word in KEYWORDS or token == "CURLINE":
                return_now, state = self._keyword(word, token, text, after, dest, state)
                if return_now:
                    return state
                continue
            if self.skipping:
                state = NOTHING
                continue
            if after < length and text[after] == "&":
                token, index, after = self._concatenate(token, tokens, index, text, after)
            symbol = self.lookup(token)
            if symbol is not None:
                if symbol.kind == TEXT:
                    if symbol.visiting:
                        self._fail("RECERR", f"Recursive reference of label '{token}'")
                    state = self._substitute(symbol, text, after, dest, state)
                elif state > LABELS:
                    self._append(dest, self._scratch_value(self._symbol_value(symbol, state),
                                                           text, after))
                else:
                    self.diag.warning("IDNERR", f"Ignored, redefinition of label '{token}'", self.line)
                    return FAILED
            elif state <= LABELS:
                if len(self.pending) >= GROUP_LIMIT:
                    self._fail("GRPERR", f"Too many labels for a declaration (last: '{token}')")
                self.pending.append(token)
                if after < length and text[after] == ":":
                    index += 1                  # a colon right after a label is dropped
                state = LABELS
            else:
                if after < length and text[after] in SPACES and len(token) < BUFFER_LIMIT:
                    token += " "
                self._append(dest, token)
        return state

    def _keyword(self, word, token, text, after, dest, state):
        """ROF, FOR, CURLINE, EQU and operation names: (return now?, state)."""
        misplaced = f"Improper placement of '{token}'"
        if word == "ROF":
            if self.skipping:
                self.skipping -= 1
                return True, FAILED
            if state <= LABELS:
                return True, ROF_MARK
            self._fail("APPERR", misplaced)
        if word == "FOR":
            if self.skipping:
                self.skipping += 1
                return True, FAILED
            if state <= LABELS:
                return True, self._for_block(text, after, dest)
            self._fail("APPERR", misplaced)
        if token == "CURLINE":                  # case-sensitive, unlike the others
            if self.skipping:
                return True, NOTHING
            if state <= LABELS:
                self._fail("MISC", "CURLINE is a reserved keyword")
            self._append(dest, self._scratch_value(str(self.count), text, after))
            return False, state
        if self.skipping:                       # EQU or an operation
            return True, NOTHING
        if state > LABELS:
            self._fail("APPERR", misplaced)
        if word == "EQU":
            return True, self._define_text(text, after)
        return True, self._instruction(word, text, after, dest)

    def _append(self, dest: Buffer, piece: str):
        if len(dest.text) + len(piece) > BUFFER_LIMIT:
            self._fail("BUFERR", "Buffer overflow. Substitution is too complex")
        dest.text += piece

    def _scratch_value(self, value: str, text: str, after: int) -> str:
        """A value as pMARS prints it into its scratch buffer, with a blank if one follows."""
        if is_space_at(text, after):
            value += " "
        self.scratch.record(value)
        return value

    def _symbol_value(self, symbol: Symbol, state: int) -> str:
        if symbol.kind == COUNTER:
            return f"{symbol.value:02d}"
        if state == PSEUDO:
            return str(symbol.value)            # ORG/END/PIN take absolute addresses
        return str(symbol.value - self.count)

    def _concatenate(self, token: str, tokens, index: int, text: str, after: int):
        """`name&counter&counter...`: paste FOR counter values (two digits) onto the name.
        Returns the name, the index of the next token and the position after the last one."""
        while after < len(text) and text[after] == "&" and is_alpha_at(text, after + 1):
            _kind, name, _start, after = tokens[index + 1]      # skip the '&'
            index += 2
            self.scratch.record(name)
            symbol = self.lookup(name)
            if symbol is None or symbol.kind != COUNTER:
                self._fail("CATERR", f"Unable to derefer and concatenate symbol '{name}'")
            self.scratch.record(f"{symbol.value:02d}")
            token += f"{symbol.value:02d}"
            if len(token) > BUFFER_LIMIT:
                self._fail("BUFERR", "Buffer overflow. Substitution is too complex")
        return token, index, after

    # ---- constructs ---------------------------------------------------------------------------
    def _instruction(self, word: str, text: str, after: int, dest: Buffer) -> int:
        """An opcode or ORG/END/PIN: copy it with what is glued to it, then its operands.

        Like pMARS, the copy goes through the scratch buffer, and when nothing but the end of
        the line follows the glued characters it is not terminated: old bytes come along."""
        glued = after
        while glued < len(text) and text[glued] not in SPACES:
            glued += 1
        self.scratch.put(word)
        self.scratch.write(len(word), text[after:glued], terminate=False)
        if glued < len(text):
            self.scratch.write(len(word) + glued - after, " ")
        self._append(dest, self.scratch.read())
        operation = OPERATION_NAMES[word]
        found = self.scan(text, glued, dest, VALUE if operation < N_OPCODES else PSEUDO)
        if found == FAILED:
            return FAILED
        if self.pending:
            self._define_pending(LABEL, value=self.count)
        if operation < N_OPCODES:
            self.count += 1
            if self.count > self.max_instructions:
                self._fail("LINERR", f"Too many instructions (more than {self.max_instructions})")
        elif operation == END_OP:
            self.going = False
        return INSTRUCTION

    def _define_text(self, text: str, after: int) -> int:
        """`names EQU text`, and the `EQU text` lines that directly follow it."""
        if not self.pending:
            self.diag.warning("ANNERR", "Attempting to append a string to an undefined label",
                              self.line)
            return VALUE
        line = self.line
        symbol = self._define_pending(TEXT, lines=[SourceLine(text[after:], line.number, line.source)])
        while self.index + 1 < len(self.lines):
            following = self.lines[self.index + 1]
            _kind, token, rest = next_token(following.text, 0)
            if token.upper() != "EQU":
                break
            self.index += 1
            symbol.lines.append(SourceLine(following.text[rest:], following.number, following.source))
        return VALUE

    def _substitute(self, symbol: Symbol, text: str, after: int, dest: Buffer, state: int) -> int:
        """Scan an EQU's text in place of its name; all but its last line become lines."""
        self._spend()
        symbol.visiting = True
        saved = self.lines, self.index
        self.lines, self.index = symbol.lines, 0
        state = self.scan(symbol.lines[0].text, 0, dest, state)
        while self.index + 1 < len(self.lines) and self.going:
            if not self.skipping and state == INSTRUCTION:
                self._emit(dest)
            self.index += 1
            dest.text = ""
            state = self.scan(self.line.text, 0, dest, NOTHING)
        self.lines, self.index = saved
        if is_space_at(text, after):
            dest.add(" ")
        symbol.visiting = False
        return state

    def _evaluate(self, dest: Buffer) -> tuple[int, int]:
        status, value = self.evaluator.evaluate(dest.text)
        if status == UNDEFINED:
            self._fail("UNDEFINED", f"a number of {MAX_DIGITS} digits or more: pMARS's result "
                                    "is undefined (it crashes or computes garbage)")
        return status, value

    def _for_block(self, text: str, after: int, dest: Buffer) -> int:
        """`FOR count`: repeat the lines up to the matching ROF, or skip them if count <= 0."""
        counter_names = []
        if self.pending:
            counter_names = [self.pending.pop()]    # the label just before FOR counts
            if self.pending:
                self._define_pending(LABEL, value=self.count)
        dest.text = ""
        self.scan(text, after, dest, VALUE)
        status, repeat = self._evaluate(dest)
        if status < OK:
            self._fail("DIVERR" if status == DIV_ZERO else "EVLERR",
                       "Division by zero" if status == DIV_ZERO else "Bad expression")
        if status == OVERFLOW:
            self.diag.warning("OFLERR", "Arithmetic overflow detected", self.line)
        if repeat <= 0:
            self.skipping += 1
            return FOR_BLOCK
        counter = Symbol(COUNTER, value=1)
        self._define(counter_names, counter)
        self._repeat(repeat & 0xFFFF, counter, dest)   # pMARS counts in an unsigned short
        self._forget(counter_names, counter)
        return FOR_BLOCK

    def _repeat(self, repeat: int, counter: Symbol, dest: Buffer):
        """Scan the block after the current line `repeat` times, up to its ROF."""
        start = self.index
        while self.going and counter.value <= repeat:
            self.index = start
            while self.going:
                if self.index + 1 >= len(self.lines):
                    self.diag.warning("ROFERR", "Unclosed ROF")
                    self.going = False
                    break
                self.index += 1
                self._spend()
                dest.text = ""
                found = self.scan(self.line.text, 0, dest, NOTHING)
                if found == ROF_MARK:
                    break
                if found == INSTRUCTION:
                    self._emit(dest)
            counter.value = (counter.value + 1) & 0xFFFF     # wraps: FOR 65535 never ends

    def _check_assert(self, text: str, after: int, dest: Buffer):
        _kind, token, pos = next_token(text, after)
        if token.upper() != "ASSERT":
            return
        self.scan(text, pos, dest, VALUE)
        status, value = self._evaluate(dest)
        if status < OK:
            self.diag.warning("BASERR", "Invalid ';assert' parameter", self.line)
            return
        if status == OVERFLOW:
            self.diag.warning("OFLERR", "Arithmetic overflow detected", self.line)
        self.assert_seen = True
        if value == 0:
            self._fail("CHKERR", "Assertion in this line fails")
