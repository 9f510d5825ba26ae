"""The iterated prisoner's dilemma with noise: LLM-written Python policies, compiled with numba.

Options (`make_arena(turns=200, noise=0.0, workers=None)`): match length, the probability that a
move is flipped, and the number of sandbox worker processes. Held-out opponents are the
strategies of the Axelrod library (optional extra `policy`).
"""


def make_arena(**options):
    from .arena import make_arena as make
    return make(**options)
