"""A user's mistake gets one clear line and a non-zero exit, never a traceback."""
import socket

import pytest

from loop_helpers import redqueen

def one_line_error(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def db(tmp_path):
    from redqueen.db import Archive
    path = tmp_path / "a.db"
    Archive(path).close()
    return str(path)


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("args, fragments", [
    (["archive", "rounds", "99"], ["no run 99"]),
    (["archive", "champions", "abc"], ["not a run id"]),
    (["archive", "show", "7"], ["no program 7"]),
    (["archive", "export", "latest", "out"], ["holds no run"]),
    (["evolve", "--resume", "3"], ["no run 3"]),
])
def test_unknown_things_in_an_archive(db, args, fragments):
    one_line_error(redqueen(*args, "--db", db), *fragments)


def test_no_archive_file(tmp_path):
    one_line_error(redqueen("archive", "runs", "--db", str(tmp_path / "none.db")), "no archive here")


def test_missing_initial_file(tmp_path):
    one_line_error(redqueen("evolve", "--initial", str(tmp_path / "gone.red"), "--db", str(tmp_path / "x.db")),
                   "gone.red", "no such file")


def test_unknown_arena_and_arena_option(tmp_path):
    one_line_error(redqueen("evolve", "--arena", "chess", "--db", str(tmp_path / "x.db")), "unknown arena 'chess'")
    one_line_error(redqueen("evolve", "-A", "colour=3", "--db", str(tmp_path / "x.db")),
                   "unknown option colour for arena corewar")


def test_llm_without_a_key(tmp_path):
    one_line_error(redqueen("evolve", "--mutator", "llm", "--db", str(tmp_path / "x.db")), "OPENAI_API_KEY")


def test_unreachable_endpoint(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    result = redqueen("evolve", "--mutator", "llm", "--base-url", url, "--db", str(tmp_path / "x.db"),
                      env_extra={"OPENAI_API_KEY": "k"})
    one_line_error(result, "cannot reach", url)


def test_unknown_fitness_mode_lists_the_arenas_modes(tmp_path):
    one_line_error(redqueen("evolve", "--fitness", "best", "--db", str(tmp_path / "x.db")),
                   "unknown fitness mode 'best' for arena corewar", "battle, duel")


@pytest.mark.parametrize("args", [["--rounds", "0"], ["--descriptors", "spawned"],
                                  ["--p-new", "2"], ["-A", "novalue"]])
def test_bad_options_are_usage_errors(tmp_path, args):
    result = redqueen("evolve", *args, "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Error: Invalid value" in result.stderr or "Error:" in result.stderr
