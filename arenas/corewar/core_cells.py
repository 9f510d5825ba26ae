"""The simulator's core cell layout, shared by the battle API (which uploads warriors) and the
MARS (which executes them): a cell is 4 values, INS (opcode * 8 + modifier), MODES (A mode * 8
+ B mode), and the A and B fields."""
import numpy as np

from .instruction import A_FIELD, A_MODE, B_FIELD, B_MODE, MODIFIER, OP


def core_dtype(coresize: int):
    """Cells of 4 x 16 bits (a core of 8000 fits the CPU's fast caches) when every value fits."""
    return np.uint16 if coresize <= 2**16 else np.int32


def core_rows(code: np.ndarray) -> np.ndarray:
    """A warrior's (n, 6) code as the simulator's core cells (n, 4): INS, MODES, A, B."""
    code = np.asarray(code, dtype=np.int64).reshape(-1, 6)
    rows = np.empty((len(code), 4), dtype=np.int32)
    rows[:, 0] = code[:, OP] * 8 + code[:, MODIFIER]
    rows[:, 1] = code[:, A_MODE] * 8 + code[:, B_MODE]
    rows[:, 2] = code[:, A_FIELD]
    rows[:, 3] = code[:, B_FIELD]
    return rows
