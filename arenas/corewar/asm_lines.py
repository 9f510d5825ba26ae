"""Reading a Redcode source into lines, as pMARS 0.9.2 reads a file (asm.c, `assemble`).

pMARS reads with fgets into a 256-byte buffer, so:
- a line ends at '\\n'; a '\\r' or NUL byte ends it too (the rest of that line is dropped);
- a physical line longer than 255 bytes is cut into 255-byte pieces read as separate lines;
- a line ending in a backslash continues on the next line (even inside a comment).
Each resulting line counts for the line numbers in messages.

pMARS reads each line into one static buffer that its first pass later reuses as scratch space,
and in one case (an opcode with characters glued to it at the very end of a line, e.g.
`dat.b#2`) it copies that buffer without a terminating NUL, so bytes left over from earlier lines
follow the glued text. `ScratchBuffer` models that buffer so the result is the same.

Lines whose first token is a comment are directives: `;name`, `;author`, `;assert` (kept for the
next pass), `;redcode` (the first one discards everything read so far, a second one ends the
source), and our own `;strategy` (collected; pMARS ignores it). Other comments are dropped. Any
other line is kept with its trailing comment removed; blank lines are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .asm_tokens import COMMENT, NONE, SPACES, next_token

LINE_BYTES = 255        # pMARS's buffer holds 255 characters and the terminating NUL
_LINE_ENDS = "\n\r\0"


class ScratchBuffer:
    """pMARS's 256-byte line buffer `buf`, as it is left by reading and by the first pass."""

    SIZE = LINE_BYTES + 1

    def __init__(self):
        self.data = bytearray(self.SIZE)

    def write(self, at: int, text: str, terminate: bool = True):
        """Write `text` (and a NUL) at `at`, like strcpy/sprintf/fgets into buf + at."""
        raw = text.encode("latin-1") + (b"\0" if terminate else b"")
        raw = raw[:max(0, self.SIZE - at)]
        self.data[at:at + len(raw)] = raw

    def put(self, text: str):
        self.write(0, text)

    def record(self, text: str):
        """A strcpy of `text` whose only later effect can be on stale bytes. Those are read only
        after an opcode and at least one glued character, i.e. from byte 4 on, so shorter
        strings (most of them) can be skipped."""
        if len(text) >= 4:
            self.write(0, text)

    def append(self, text: str):
        self.write(self.length(), text)

    def length(self) -> int:
        end = self.data.find(0)
        return self.SIZE if end < 0 else end

    def read(self) -> str:
        """The C string in the buffer (up to its first NUL)."""
        return self.data[:self.length()].decode("latin-1")

    def cut_comment(self, start: int = 0):
        """pMARS's nocmnt(buf + start): a NUL at the first ';' of the string from `start`."""
        end = self.length()
        semicolon = self.data.find(b";", start, end)
        if start <= end and semicolon >= 0:
            self.data[semicolon] = 0


@dataclass(frozen=True)
class SourceLine:
    text: str           # what the assembler works on (Latin-1, one char per byte)
    number: int         # pMARS's line number, for messages
    source: str         # the line as read, for messages


@dataclass
class Source:
    lines: list[SourceLine] = field(default_factory=list)
    name: str = "Unknown"
    author: str = "Anonymous"
    strategy: list[str] = field(default_factory=list)
    scratch: ScratchBuffer = field(default_factory=ScratchBuffer)
    unterminated_continuation: bool = False     # last line ended in '\\' at end of file


def read_source(data: str) -> Source:
    """Split Latin-1 source text into the lines the expansion pass works on."""
    source = Source()
    redcode_seen = False
    count = 0
    pos = 0
    while True:
        line, pos, continued_at_eof = _read_line(data, pos, source.scratch)
        count += 1
        number = count & 0xFFFF                 # pMARS counts lines in an unsigned short
        kind, _token, after = next_token(line, 0)
        if kind == COMMENT:
            if _directive(source, line, after, number) == "redcode":
                if redcode_seen:
                    break
                redcode_seen = True
                source.lines.clear()
        elif kind != NONE:
            source.scratch.cut_comment()
            source.lines.append(SourceLine(line.split(";", 1)[0], number, line))
        if continued_at_eof:
            source.unterminated_continuation = True
        if pos is None:
            break
    return source


def _read_line(data: str, pos: int, scratch: ScratchBuffer) -> tuple[str, int | None, bool]:
    """One line as pMARS's reading loop builds it: (line, position of the next line or None at
    the end of the data, whether the last line ended in a backslash continuation)."""
    line = ""
    scratch.data[0] = 0
    if pos >= len(data):                        # fgets finds nothing: one last empty line
        return line, None, False
    while True:
        room = LINE_BYTES - len(line)
        newline = data.find("\n", pos, pos + room)
        end = newline + 1 if newline >= 0 else min(pos + room, len(data))
        chunk = data[pos:end]
        pos = end
        scratch.write(len(line), chunk)         # what fgets stores
        cut = len(chunk)
        for char in _LINE_ENDS:
            found = chunk.find(char)
            if 0 <= found < cut:
                cut = found
        line += chunk[:cut]
        scratch.data[len(line)] = 0
        if not line.endswith("\\"):
            return line, pos, False
        line = line[:-1]                        # continued on the next line
        scratch.data[len(line)] = 0
        if pos >= len(data):
            return line, None, True             # pMARS would wait forever for that line


def _directive(source: Source, line: str, after: int, number: int) -> str | None:
    """Handle a comment line; return "redcode" for a `;redcode` marker."""
    kind, token, pos = next_token(line, after)
    word = token.upper()
    if word == "REDCODE" and pos == after + 7:  # ";redcode" with nothing between
        return "redcode"
    while pos < len(line) and line[pos] in SPACES:
        pos += 1
    rest = line[pos:]
    if word == "NAME":
        source.name = rest or "Unknown"
    elif word == "AUTHOR":
        source.author = rest or "Anonymous"
    elif word == "STRATEGY":
        source.strategy.append(rest)
    elif word == "ASSERT":
        source.scratch.cut_comment(pos)
        source.lines.append(SourceLine(line[:pos] + rest.split(";", 1)[0], number, line))
    return None
