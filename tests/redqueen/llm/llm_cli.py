"""Running `redqueen evolve --mutator llm` on Core War against a local chat server, for the tests."""
from loop_helpers import redqueen

DWARF = """;redcode-94
;name Dwarf {step}
;author test model
step    EQU {step}
        ADD.AB  #step, bomb
        MOV.AB  #0, @bomb
        JMP     -2
bomb    DAT     #0, #0
        END
"""


def dwarf_answer(body) -> str:
    """A valid warrior whose bombing step follows the request's seed."""
    return "```redcode\n" + DWARF.format(step=2 + body.get("seed", 0) % 97) + "```"


def evolve_llm(db, server, *extra, rounds=2, iters=10):
    """The CLI on a small Core War run (2 seeds, short battles) with the server's URL."""
    return redqueen("evolve", "--mutator", "llm", "--base-url", server.base_url, "--model", "gpt-4.1-mini",
                    "--rounds", rounds, "--iters", iters, "--seeds", "2", "--n-init", "3", "--batch", "5",
                    "--max-retries", "0", "--seed", "3", "-A", "maxcycles=2000", "--quiet", "--db", db, *extra,
                    env_extra={"OPENAI_API_KEY": "test-key"})
