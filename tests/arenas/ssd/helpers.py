"""Running single compiled episodes in-process for the rule tests (no sandbox)."""
from functools import cache

import numpy as np

from arenas.policy.sandbox import CONTROL_SIZE, compile_policy
from arenas.ssd import engine

RULES = dict(respawn=25, beam_length=20, removal_steps=25, hits_to_remove=2, clean_length=5,
             waste_prob=0.5, apple_prob=0.05, depletion=0.4)


def plain(source: str):
    """The policy as a plain Python function."""
    namespace = {"np": np}
    exec(source, namespace)
    return namespace["policy"]


@cache
def compiled(source: str):
    """The policy as the sandbox compiles it (constants lifted, see arenas.policy.lift)."""
    return compile_policy(source, "policy", engine.signature())


def run(policy_a, policy_b, layout, seed, steps, agents, focal=None, cleanup=False, **rules):
    """(status, stats dict, trace, world) of one compiled episode."""
    settings = dict(RULES, agents=agents, focal=agents if focal is None else focal, steps=steps,
                    cleanup=int(cleanup), **rules)
    ints, floats = engine.parameter_arrays(settings)
    stats = np.zeros(len(engine.STATS))
    trace = np.zeros((steps, agents, 5), np.int64)
    world = np.zeros((steps, 2), np.int64)
    control = np.zeros(CONTROL_SIZE, np.int64)
    status = engine.episode(*policy_a, *policy_b, layout.grid, layout.spawns, ints, floats,
                            engine.shared_flags(policy_a, policy_b), seed, control, stats, trace, world)
    return status, dict(zip(engine.STATS, stats)), trace, world
