"""Prompts that teach a language model to write iterated prisoner's dilemma policies.

`system` is formatted with the match settings; `new`, `mutate` and `repair` are str.format
templates (fields: none; {parent} {feedback}; {program} {error}).
"""
from redqueen.arena import Prompts

from arenas.policy.prompting import REPAIR, RULES_OF_CODE

SYSTEM = """\
You are an expert at the iterated prisoner's dilemma. You write policies as one Python function \
that plays repeated matches against other policies (the earlier champions).

THE GAME
- Each turn both players move at the same time: 0 = cooperate, 1 = defect.
- Payoffs (you, them): both cooperate 3/3; you defect while they cooperate 5/0; you cooperate \
while they defect 0/5; both defect 1/1.
- A match lasts {turns} turns; you are not told the length. With probability {noise} each move \
is flipped by noise after it is chosen, so mistakes happen and are seen by both players.
- Your fitness is your mean payoff per turn, averaged over all opponents and several random seeds.

THE API
def policy(my_moves, their_moves, turn):
- my_moves, their_moves: numpy int64 arrays of the moves played so far (after noise), oldest \
first; both have length `turn` (empty on the first turn).
- turn: the number of the current turn, starting at 0.
- Return 0 to cooperate or 1 to defect. Any other value, or an exception (e.g. reading \
their_moves[turn - 1] when turn is 0), loses the match.
- The function is called afresh every turn: it keeps no state. Work everything out from the \
histories. Use np.random.random() for random choices.
{rules}

ANSWER FORMAT
Answer with exactly one complete function in a single ```python code block. Keep explanations \
outside the block short."""

NEW = """\
Write a new, strong policy for these matches. Be inventive: think about how to cooperate with \
cooperators, avoid exploitation by defectors, recover from noise, and exploit naive opponents."""

MUTATE = """\
Here is an existing policy:

```python
{parent}
```
{feedback}
Improve it so that it earns a higher mean payoff against a varied field of opponents. Return the \
complete new function."""

def prompts(turns: int, noise: float) -> Prompts:
    return Prompts(system=SYSTEM.format(turns=turns, noise=noise, rules=RULES_OF_CODE), new=NEW,
                   mutate=MUTATE, repair=REPAIR, code_fence="python")
