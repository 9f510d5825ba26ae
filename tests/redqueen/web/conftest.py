"""A real archive made by a small language-model Core War run (against the local chat server,
with `--opponents nash`, so it has LLM calls, failures, lineage and a cross-play matrix), and
`redqueen serve` over it as a real process on 127.0.0.1."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(REPO / "tests" / "redqueen" / "llm"), str(REPO / "tests" / "redqueen" / "loop")]


BOMBER = """;redcode-94
;name Bomber {step}
;author test model
        ADD.AB  #{step}, bomb
        MOV.AB  #0, @bomb
        JMP     -2
bomb    DAT     #0, #0
        END
"""


def model(body, index):
    """Scripted answers: bombers of different steps, and now and then prose (a failure)."""
    seed = body["seed"]
    if seed % 4 == 3 or len(body["messages"]) > 2:     # repairs get prose too: recorded failures
        return ("ok", "Core War is a programming game.")
    return ("ok", "Here you are:\n```redcode\n" + BOMBER.format(step=2 + seed % 97) + "```")


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory) -> Path:
    from chatserver import ChatServer
    from loop_helpers import redqueen
    db = tmp_path_factory.mktemp("web") / "lab.db"
    with ChatServer(model) as server:
        done = redqueen("evolve", "--mutator", "llm", "--base-url", server.base_url, "--model", "gpt-4.1-mini",
                        "--rounds", "3", "--iters", "12", "--seeds", "2", "--n-init", "3", "--batch", "6",
                        "--max-retries", "0", "--opponents", "nash", "--seed", 5, "-A", "maxcycles=2000",
                        "--quiet", "--db", db, env_extra={"OPENAI_API_KEY": "test-key"})
    assert done.returncode == 0, done.stderr
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(web_archive):
    """Base URL of `redqueen serve --db ARCHIVE` started on a free port of 127.0.0.1."""
    pytest.importorskip("datasette", reason="redqueen serve needs the web extra (pip install -e '.[web]')")
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-m", "redqueen", "serve", "--db", str(web_archive),
                                "--port", str(port)], env=env, cwd=REPO, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/-/runs", timeout=5)
            break
        except OSError:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                pytest.fail(f"redqueen serve did not start: {process.stderr.read()}")
            time.sleep(0.3)
    yield base
    process.terminate()
    process.wait(timeout=10)
