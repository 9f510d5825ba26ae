"""The assembled warrior: an immutable value, equal and hashable by its assembled content."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from .instruction import N_COLUMNS


@dataclass(frozen=True, eq=False)
class Warrior:
    """An assembled Redcode program.

    `code` is a read-only int32 array of shape (length, 6) (see `instruction`), fields stored
    unsigned modulo `coresize`. `start` is the ORG/END offset. `pin` is the PIN value, or None
    for private P-space. Equality and hashing use only the assembled content
    (code, start, pin, coresize), never the name or the file it came from (nor `warnings`).
    """
    code: np.ndarray
    start: int = 0
    name: str = "Unknown"
    author: str = "Anonymous"
    strategy: str = ""
    pin: int | None = None
    coresize: int = 8000
    filename: str = "<string>"
    warnings: tuple[str, ...] = field(default=(), compare=False)   # the assembler's, one line each
    _digest: str = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        code = np.ascontiguousarray(self.code, dtype=np.int32).reshape(-1, N_COLUMNS)
        code.setflags(write=False)
        object.__setattr__(self, "code", code)
        h = hashlib.sha256()
        h.update(code.tobytes())
        h.update(f"|{self.start}|{self.pin}|{self.coresize}".encode())
        object.__setattr__(self, "_digest", h.hexdigest())

    @property
    def length(self) -> int:
        return len(self.code)

    @property
    def digest(self) -> str:
        """SHA-256 of the assembled content: the key for deduplication."""
        return self._digest

    def __eq__(self, other):
        return isinstance(other, Warrior) and self._digest == other._digest

    def __hash__(self):
        return hash(self._digest)

    def __len__(self):
        return len(self.code)
