"""Prompts that teach a language model to write Tron (light cycles) policies.

`system` is formatted with the board size; `new`, `mutate` and `repair` are str.format templates
(fields: none; {parent} {feedback}; {program} {error}).
"""
from redqueen.arena import Prompts

from arenas.policy.prompting import REPAIR, RULES_OF_CODE

SYSTEM = """\
You are an expert at Tron light cycles. You write policies as one Python function that steers a \
cycle against other policies (the earlier champions).

THE GAME
- Two cycles move at the same time, one cell per turn, on a {rows}x{cols} board surrounded by \
walls. Each cycle leaves a permanent trail behind it.
- A cycle that moves into a wall or any trail (its own or the opponent's) crashes and loses. If \
both crash on the same turn, or both move into the same cell, the game is a draw.
- Win 1, draw 0.5, loss 0. Start positions vary with the game seed; the second cycle starts at \
the point mirror of the first. Your fitness is your mean score over all opponents and seeds.

THE API
def policy(grid, me_row, me_col, opp_row, opp_col, turn):
- grid: a numpy int64 array of shape ({height}, {width}): the board plus its border walls, as \
seen by you: 0 empty, 1 wall, 2 your trail (your head included), 3 the opponent's trail (its \
head included). Rows and columns 0 and {last_row}/{last_col} are walls, so grid[r + dr, c + dc] is \
always a valid index for a neighbour of a head.
- me_row, me_col: your head; opp_row, opp_col: the opponent's head; turn: 0, 1, 2, ...
- Return a direction: 0 up (row - 1), 1 right (col + 1), 2 down (row + 1), 3 left (col - 1). \
Any other value, or an exception, loses the game.
- The function is called afresh every turn: it keeps no state. The grid is your own copy.
{rules}

ANSWER FORMAT
Answer with exactly one complete function in a single ```python code block. Keep explanations \
outside the block short."""

NEW = """\
Write a new, strong Tron policy. Be inventive: think about claiming space (flood fill, areas \
closer to you than to the opponent), cutting the opponent off, and surviving endgames."""

MUTATE = """\
Here is an existing policy:

```python
{parent}
```
{feedback}
Improve it so that it wins more games against a varied field of opponents. Return the complete \
new function."""

def prompts(rows: int, cols: int) -> Prompts:
    system = SYSTEM.format(rows=rows, cols=cols, height=rows + 2, width=cols + 2, last_row=rows + 1,
                           last_col=cols + 1, rules=RULES_OF_CODE)
    return Prompts(system=system, new=NEW, mutate=MUTATE, repair=REPAIR, code_fence="python")
