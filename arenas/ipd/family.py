"""The IPD's built-in policy family: stochastic memory-one play with grudge, window and probes.

Parameters:
  first       1 to defect on the first move
  d_cc..d_dd  probability of defecting after (my last move, their last move) = CC, CD, DC, DD
  grudge      defect for good once the opponent has defected this many times (0: never)
  window      look at the opponent's last `window` moves (0: off) ...
  threshold   ... and defect while more than this fraction of them were defections
  probe       defect every `probe`-th turn to test the opponent (0: off)
Tit for tat is first=0, d_cc=0, d_cd=1, d_dc=0, d_dd=1 with the rest off.
"""
from arenas.policy.family import Family, Parameter

PARAMETERS = {
    "first": Parameter(0, 1, integer=True, step=0.6),
    "d_cc": Parameter(0.0, 1.0), "d_cd": Parameter(0.0, 1.0),
    "d_dc": Parameter(0.0, 1.0), "d_dd": Parameter(0.0, 1.0),
    "grudge": Parameter(0, 40, integer=True),
    "window": Parameter(0, 20, integer=True),
    "threshold": Parameter(0.0, 1.0),
    "probe": Parameter(0, 30, integer=True),
}

HEADER = '''def policy(my_moves, their_moves, turn):
    """Memory-one play with optional grudge, window and probes (built-in family)."""'''


def _defect_with(probability: float) -> str:
    if probability <= 0.0:
        return "0"
    if probability >= 1.0:
        return "1"
    return f"1 if np.random.random() < {probability!r} else 0"


def render(p: dict) -> str:
    lines = ["    if turn == 0:", f"        return {int(p['first'])}"]
    if p["grudge"] > 0:
        lines += [f"    if their_moves.sum() >= {p['grudge']}:", "        return 1"]
    if p["window"] > 0:
        lines += [f"    if turn >= {p['window']} and their_moves[turn - {p['window']}:].mean() > {p['threshold']!r}:",
                  "        return 1"]
    if p["probe"] > 1:
        lines += [f"    if turn % {p['probe']} == {p['probe'] - 1}:", "        return 1"]
    lines += ["    mine = my_moves[turn - 1]", "    theirs = their_moves[turn - 1]",
              "    if mine == 0 and theirs == 0:", f"        return {_defect_with(p['d_cc'])}",
              "    if mine == 0:", f"        return {_defect_with(p['d_cd'])}",
              "    if theirs == 0:", f"        return {_defect_with(p['d_dc'])}",
              f"    return {_defect_with(p['d_dd'])}"]
    return "\n".join(lines) + "\n"


FAMILY = Family("ipd-memory-one", PARAMETERS, HEADER, render)

TIT_FOR_TAT = {"first": 0, "d_cc": 0.0, "d_cd": 1.0, "d_dc": 0.0, "d_dd": 1.0, "grudge": 0, "window": 0,
               "threshold": 0.5, "probe": 0}
