"""Battle and assembly settings, with pMARS 0.9.2's defaults and command-line letters."""
from dataclasses import dataclass, replace

MAX_CORESIZE = 2**30           # pMARS's MAXCORESIZE on 32-bit ints


@dataclass(frozen=True)
class Settings:
    coresize: int = 8000        # -s
    maxcycles: int = 80000      # -c  cycles until a tie
    maxprocesses: int = 8000    # -p
    maxlength: int = 100        # -l
    mindistance: int = 100      # -d
    pspacesize: int = 0         # -S  0: pMARS's choice, see `pspace`
    rounds: int = 1             # -r
    warriors: int = 2           # number of warriors in the battle (the WARRIORS constant)

    @property
    def pspace(self) -> int:
        """P-space size: -S if given, else as pMARS picks it, coresize / d for the largest
        d <= 16 dividing coresize (500 for the default 8000)."""
        if self.pspacesize:
            return self.pspacesize
        return next(self.coresize // d for d in range(16, 0, -1) if self.coresize % d == 0)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)
