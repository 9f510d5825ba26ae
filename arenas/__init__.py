"""The built-in arenas: Core War (`corewar`), the iterated prisoner's dilemma (`ipd`) and Tron
(`tron`), with the machinery the policy games share (`policy`). Each arena is registered in
pyproject.toml under the `redqueen.arenas` entry-point group; `redqueen` finds them there
(`redqueen.registry`) and never imports this package by name.
"""
