"""The iterated prisoner's dilemma with noise: LLM-written Python policies, compiled with numba.

`arena.IPDArena` (registered as `ipd`); its options (turns, noise, workers) are declared in
`IPDArena.options`. Held-out opponents are the strategies of the Axelrod library (optional extra
`policy`).
"""
