"""What a user sees: one plain line per finished round (no bars in logs), round numbers in
`archive failures`, every `archive` subcommand in its --help."""
import re

import pytest

from loop_helpers import redqueen
from redqueen.cli.archive import archive as archive_group
from redqueen.cli.progress import RoundReporter
from redqueen.db import Archive
from redqueen.loop import RedQueen, RunConfig
from redqueen.mutators import make_mutator
from tinygame import TinyArena

ROUND_LINE = re.compile(r"^round (\d+) \((\d+)/(\d+)\)  champion (\d+) (.+?)  fitness (\d+\.\d{4}) "
                        r"\((\w+), (\d+) opponents?\)  cells (\d+)/(\d+)  invalid \d+%  elapsed [\d.]+ s$")


def test_the_round_hook_reports_every_round_once_with_its_champion(tmp_path, capsys):
    archive, arena = Archive(tmp_path / "runs.db"), TinyArena()
    config = RunConfig(arena="tiny", rounds=3, iters=12, seeds=3, seed=5)
    loop = RedQueen.start(archive, config, arena, make_mutator("builtin", arena), progress=False,
                          on_round=RoundReporter(config.rounds, config.fitness))
    loop.run()
    lines = capsys.readouterr().out.splitlines()
    grid_size = 1
    for name in arena.default_descriptors:
        grid_size *= len(arena.descriptors[name].edges)
    champions = archive.champions(loop.run_id)
    rounds = archive.rounds(loop.run_id)
    archive.close()
    assert len(lines) == 3
    for line, champion, row in zip(lines, champions, rounds):
        match = ROUND_LINE.match(line)
        assert match, line
        number, ordinal, total, program, name, fitness, mode, opponents, cells, cells_total = match.groups()
        assert (int(number), int(ordinal), int(total)) == (champion["round"], champion["round"] + 1, 3)
        assert int(program) == champion["program_id"] and name == champion["name"]
        assert float(fitness) == pytest.approx(champion["fitness"], abs=5e-5) and mode == "battle"
        assert int(opponents) == len(champion["opponents"])
        assert int(cells) == row["filled_cells"] and int(cells_total) == grid_size


def test_evolve_in_a_log_prints_round_lines_as_plain_text(tmp_path):
    """stdout and stderr are pipes here, as in a log file: no progress bars, no escape codes."""
    db = tmp_path / "log.db"
    result = redqueen("evolve", "--rounds", "2", "--iters", "8", "--seeds", "2", "--n-init", "2",
                      "-A", "maxcycles=500", "--db", db)
    assert result.returncode == 0, result.stderr
    for stream in (result.stdout, result.stderr):
        assert "\r" not in stream and "\x1b" not in stream and "it/s" not in stream
    if "preparing the arena" in result.stderr:                  # said only when preparing takes a while
        assert "arena ready in" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("fitness (battle): ")
    assert [ROUND_LINE.match(line).group(1) for line in lines[1:]] == ["0", "1"]


def test_archive_failures_names_rounds_by_number(tmp_path):
    path = tmp_path / "runs.db"
    archive, arena = Archive(path), TinyArena()
    for seed in (1, 2):                     # the second run's round ids differ from its round numbers
        config = RunConfig(arena="tiny", rounds=2, iters=4, seeds=2, seed=seed)
        loop = RedQueen.start(archive, config, arena, make_mutator("builtin", arena), progress=False)
        loop.run()
    second = archive.rounds(loop.run_id)[1]
    assert second["id"] != second["number"]
    with archive.transaction():
        archive.record_failure(loop.run_id, second["id"], 3, stage="parse", error="no throws")
    archive.close()
    table = redqueen("archive", "failures", "latest", "--db", path).stdout.splitlines()
    assert table[0].split()[:3] == ["id", "round", "iter"]
    assert table[1].split()[1:4] == [str(second["number"]), "3", "parse"]


def test_archive_help_lists_every_subcommand():
    text = redqueen("archive", "--help").stdout
    listed = set(re.findall(r"^  redqueen archive ([\w-]+)", text, flags=re.M))
    assert listed == set(archive_group.commands)


@pytest.mark.slow
def test_a_cold_start_says_that_the_arena_is_being_prepared(tmp_path):
    """An empty Numba cache: compiling takes a while, and the user is told before it starts."""
    result = redqueen("evolve", "--rounds", "1", "--iters", "0", "--seeds", "1", "--n-init", "1",
                      "-A", "maxcycles=200", "--db", tmp_path / "cold.db",
                      env_extra={"NUMBA_CACHE_DIR": str(tmp_path / "numba")})
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("preparing the arena") and lines[1].startswith("arena ready in")
