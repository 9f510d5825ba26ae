"""Tron light cycles: LLM-written Python policies on a walled grid, compiled with numba.

Options (`make_arena(size=20, rows=None, cols=None, workers=None)`): the board size and the
number of sandbox worker processes. Held-out opponents are the heuristic bots in `heldout/`.
"""


def make_arena(**options):
    from .arena import make_arena as make
    return make(**options)
