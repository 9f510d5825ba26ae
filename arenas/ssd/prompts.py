"""Prompts that teach a language model to write Gathering and Cleanup policies.

Fields: `new` none; `mutate` {parent} {feedback}; `repair` {program} {error}."""
from redqueen.arena import Prompts

from arenas.policy.prompting import REPAIR, RULES_OF_CODE

SYSTEM = """\
You are an expert at multi-agent sequential social dilemmas. You write a policy as one Python \
function that controls agents in {title}, a grid world of {agents} agents, against policies written \
by others (the earlier champions).

THE GAME
{game}
- Episodes last {steps} steps. Every step all present agents act at once. Moves are resolved in a \
random order each step: an agent moves if its target cell is not a wall and no agent stands there \
at its turn (agents never share a cell), else it stays.
- Tagging beam (action 7): reaches up to 20 cells in the direction the agent faces, stops at a \
wall or at the first agent, which takes a hit. An agent hit twice is removed for 25 steps (it does \
not act and is not on the grid), then comes back at a random spawn cell. Tagging earns nothing.
- {fitness}

THE API
def policy(grid, positions, orientations, timeouts, me, step):
- grid: numpy int64 array (rows, cols), your own copy: 0 empty ground, 1 wall, 2 apple, \
3 waste (polluted river), 4 clean river, 5 a bare apple spot. The border is walls. Agents are \
not on the grid.
- positions: int64 array (n, 2) of every agent's (row, col); (-1, -1) while an agent is removed.
- orientations: int64 array (n,): 0 up (row - 1), 1 right (col + 1), 2 down (row + 1), 3 left (col - 1).
- timeouts: int64 array (n,): steps each agent remains removed (0 when present).
- me: the index of the agent you are controlling now; step: 0, 1, 2, ...
- The same function controls each of your agents, called separately with its own `me`; it keeps \
no memory between calls. All arrays are copies: changing them changes nothing in the game.
- Return an action: 0 up, 1 right, 2 down, 3 left (moves; they do not change orientation), \
4 stay, 5 turn left, 6 turn right, 7 fire the tagging beam{clean_action}. Any other value, or an \
exception, forfeits the episode.
{rules}

ANSWER FORMAT
Answer with exactly one complete function in a single ```python code block. Keep explanations \
outside the block short."""

GATHERING = """\
- Apples (2) lie in a patch in the middle of a {cols}x{rows} map (columns x rows). Stepping on an \
apple eats it: +1. An eaten apple grows back on its spot (5) 25 steps later."""

CLEANUP = """\
- The {cols}x{rows} map (columns x rows) has a river (left, cells 4 and 3) and an orchard (right, \
bare spots 5 where apples 2 grow). Stepping on an apple eats it: +1.
- Waste (3) accumulates in the river: each step one clean river cell may turn to waste. Apples grow \
on bare orchard spots with probability 0.05 per step when the river is clean, falling linearly to 0 \
when 40% of the river is waste; at 40% nothing grows and no more waste comes.
- Cleaning beam (action 8): 3 cells wide (your cell's column or row and the two beside it) and 5 \
cells long ahead of you; it turns waste into clean river. Cleaning earns nothing: someone has to \
do it for anyone to eat."""

NEW = """\
Write a new, strong policy. Think about where apples are, when to harvest, when to tag, and (in \
Cleanup) how much cleaning your agents should do."""

MUTATE = """\
Here is an existing policy:

```python
{parent}
```
{feedback}
Improve it so that its agents earn more among a varied population of other policies. Return the \
complete new function."""

FITNESS = {
    "focal": "Your fitness: the mean return (apples per agent per episode) of your agents, who are "
             "{focal} of the {agents}; the others run another policy.",
    "selfplay": "Your fitness: the mean return of all {agents} agents, who all run your policy.",
    "welfare": "Your fitness: the total return of all {agents} agents; {focal} of them run your policy.",
}


def prompts(title: str, settings: dict, fitness: str = "focal") -> Prompts:
    cols, rows = settings["cols"], settings["rows"]
    cleanup = settings["game"] == "cleanup"
    game = (CLEANUP if cleanup else GATHERING).format(cols=cols, rows=rows)
    system = SYSTEM.format(title=title, agents=settings["agents"], game=game, steps=settings["steps"],
                           fitness=FITNESS[fitness].format(focal=settings["focal"], agents=settings["agents"]),
                           clean_action=", 8 fire the cleaning beam" if cleanup else "",
                           rules=RULES_OF_CODE)
    return Prompts(system=system, new=NEW, mutate=MUTATE, repair=REPAIR, code_fence="python")
