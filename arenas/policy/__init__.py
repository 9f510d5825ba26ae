"""Shared machinery of the programmatic policy arenas (IPD, Tron): not an arena itself.

A policy is one Python function with a fixed signature, written by a language model (or by the
built-in parametrised families). Hostile code is the normal case, so a policy goes through:

1. `validate`: an AST whitelist (in-process, fast, one line per rejection);
2. `sandbox`: compilation with `numba.njit` in nopython mode and a smoke game, inside a worker
   process with CPU-time, memory and wall-clock limits;
3. `pool`: the worker pool that compiles each policy once (cache keyed by source hash) and plays
   many games, attributing every crash, hang or limit to the policy that was in control.

`policy_arena.PolicyArena` turns a game module (simulator + rules) into a `redqueen.arena.Arena`.
Nothing here imports numba at module level: the parent process never compiles a policy.
"""
