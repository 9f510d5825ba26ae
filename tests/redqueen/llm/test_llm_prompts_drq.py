"""`--prompts drq`: the DRQ study's prompt content; its example programs are valid Redcode."""
import re
import subprocess

import pytest

from chatserver import ChatServer
from redqueen.llm.client import PREFLIGHT

pytest.importorskip("arenas.corewar.assembler", reason="the Redcode assembler is not in this checkout")
from arenas.corewar.arena import CoreWarArena  # noqa: E402
from llm_cli import dwarf_answer, evolve_llm  # noqa: E402
from loop_helpers import redqueen  # noqa: E402


def examples(system: str) -> list[str]:
    return [body.strip() + "\n" for body in re.split(r"^== EXAMPLE[^\n]*==$", system, flags=re.M)[1:]]


def test_the_drq_prompts_reach_the_model(tmp_path):
    with ChatServer(lambda body, index: ("ok", dwarf_answer(body))) as server:
        result = evolve_llm(tmp_path / "drq.db", server, "--prompts", "drq", rounds=1, iters=5)
    assert result.returncode == 0, result.stderr
    asked = [r["messages"] for r in server.requests if r["messages"] != PREFLIGHT]
    assert all(m[0]["content"] == CoreWarArena().prompts("drq").system for m in asked)
    assert "== OPCODES ==" in asked[0][0]["content"] and "== ADDRESSING MODES ==" in asked[0][0]["content"]
    users = [m[1]["content"] for m in asked]
    assert any(u.startswith("Write a new Core War program") for u in users)
    mutations = [u for u in users if u.startswith("Change the Core War program below")]
    assert mutations and all("```redcode\n;redcode-94" in u for u in mutations)


def test_the_examples_in_the_drq_system_prompt_assemble_in_pmars(tmp_path, pmars):
    found = examples(CoreWarArena().prompts("drq").system)
    assert len(found) == 3
    for number, source in enumerate(found):
        CoreWarArena().parse(source, origin=f"example {number}")
        path = tmp_path / f"example{number}.red"
        path.write_text(source)
        out = subprocess.run([pmars, "-r", "0", str(path)], capture_output=True, text=True, timeout=30)
        assert "Error" not in out.stdout + out.stderr, out.stdout + out.stderr


def test_an_arena_without_the_style_refuses_it_in_one_line(tmp_path):
    result = redqueen("evolve", "--arena", "ipd", "--mutator", "llm", "--prompts", "drq", "--base-url",
                      "http://127.0.0.1:9/v1", "--db", tmp_path / "x.db", env_extra={"OPENAI_API_KEY": "k"})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["Error: the ipd arena has no 'drq' prompts (it has: default)"]
