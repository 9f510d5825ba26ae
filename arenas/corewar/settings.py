"""Battle and assembly settings, with pMARS 0.9.2's defaults and command-line letters."""
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Settings:
    coresize: int = 8000        # -s
    maxcycles: int = 80000      # -c  cycles until a tie
    maxprocesses: int = 8000    # -p
    maxlength: int = 100        # -l
    mindistance: int = 100      # -d
    pspacesize: int = 0         # -S  0 means coresize/16, as pMARS
    rounds: int = 1             # -r
    warriors: int = 2           # number of warriors in the battle (the WARRIORS constant)

    @property
    def pspace(self) -> int:
        return self.pspacesize or max(1, self.coresize // 16)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)
