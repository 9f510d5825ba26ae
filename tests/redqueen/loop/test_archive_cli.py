"""`redqueen archive` prints what the Python API returns, one command per method."""
import json

import pytest

from loop_helpers import redqueen
from redqueen.db import Archive
from redqueen.loop import RedQueen, RunConfig
from redqueen.mutators import make_mutator
from tinygame import TinyArena


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    path = tmp_path_factory.mktemp("archive") / "runs.db"
    archive, arena = Archive(path), TinyArena()
    for seed in (1, 2):
        config = RunConfig(arena="tiny", rounds=3, iters=10, seeds=3, seed=seed)
        RedQueen.start(archive, config, arena, make_mutator("builtin", arena), progress=False).run()
    yield archive, path
    archive.close()


def as_json(value):
    return json.loads(json.dumps(value, default=str))


@pytest.mark.parametrize("command, method, argument", [
    ("runs", "runs", None), ("rounds", "rounds", "2"), ("champions", "champions", "latest"),
    ("failures", "failures", "1"), ("calls", "llm_calls", "1")])
def test_listings_mirror_the_python_api(stored, command, method, argument):
    archive, path = stored
    args = [argument] if argument else []
    result = redqueen("archive", command, *args, "--json", "--db", path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == as_json(getattr(archive, method)(*args))


def test_show_mirrors_the_python_api_and_prints_the_source(stored):
    archive, path = stored
    champion = archive.champions(1)[0]
    result = redqueen("archive", "show", champion["program_id"], "--json", "--db", path)
    assert json.loads(result.stdout) == as_json(archive.show(champion["program_id"]))
    text = redqueen("archive", "show", champion["program_id"], "--db", path).stdout
    assert "champion of round(s) 0" in text and champion["source"].strip() in text


def test_tables_have_one_line_per_row(stored):
    _, path = stored
    lines = redqueen("archive", "runs", "--db", path).stdout.splitlines()
    assert lines[0].split()[:3] == ["run", "arena", "status"] and len(lines) == 3
    assert lines[1].split()[:4] == ["1", "tiny", "finished", "3/3"]


def test_export_writes_one_file_per_champion(stored, tmp_path):
    archive, path = stored
    result = redqueen("archive", "export", "2", tmp_path / "out", "--suffix", ".rps", "--db", path)
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "out").glob("*.rps"))
    assert [f.read_text() for f in files] == [c["source"] + "\n" for c in archive.champions(2)]
    assert [TinyArena().parse(f.read_text()).digest for f in files] == [c["digest"] for c in archive.champions(2)]


def test_export_of_an_arena_not_installed_needs_a_suffix(stored, tmp_path):
    _, path = stored
    result = redqueen("archive", "export", "1", tmp_path / "out", "--db", path)
    assert result.returncode == 1 and "not installed here" in result.stderr and "Traceback" not in result.stderr


def test_cross_play_mirrors_the_python_api(tmp_path):
    path = tmp_path / "nash.db"
    archive, arena = Archive(path), TinyArena()
    config = RunConfig(arena="tiny", rounds=3, iters=10, seeds=3, seed=4, opponents="nash")
    run_id = RedQueen.start(archive, config, arena, make_mutator("builtin", arena), progress=False).run()
    ids, matrix = archive.cross_play(run_id)
    result = redqueen("archive", "cross-play", str(run_id), "--json", "--db", path)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["programs"] == ids and shown["payoff"] == matrix.tolist()
    assert [r["weights"] for r in shown["rounds"]] == [r["opponent_weights"] for r in archive.rounds(run_id)]
    table = redqueen("archive", "cross-play", str(run_id), "--db", path)
    assert table.returncode == 0 and "round 2 opponent weights" in table.stdout
    archive.close()
