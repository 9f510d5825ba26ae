"""Tron light cycles: LLM-written Python policies on a walled grid, compiled with numba.

`arena.TronArena` (registered as `tron`); its options (size, rows, cols, workers) are declared in
`TronArena.options`. Held-out opponents are the heuristic bots in `heldout/`.
"""
