"""Pages in a real headless Chromium: a run page and a replay page load without a JavaScript
error, the replay plays, and its last frame shows the result `redqueen battle` reports."""
import importlib.resources
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from browser import chromium, console_errors, jump_to_the_end, play_until_it_moves

EXHAUST_DIR = importlib.resources.files("exhaust_ma") / "exhaust-ma"


def test_run_page_loads_without_errors(server):
    with chromium() as driver:
        driver.get(server + "/-/run/1")
        assert driver.find_element("css selector", "#champions").is_displayed()
        assert driver.find_elements("css selector", "#grid rect.marked")
        assert console_errors(driver) == []
        driver.get(server + "/-/runs")
        assert "run 1" in driver.find_element("css selector", "#runs").text
        assert console_errors(driver) == []


def battle_result(files, position):
    """The result line of `redqueen battle -b -F POSITION FILES` in the replay's words."""
    from arenas.corewar.assembler import assemble_file
    from arenas.corewar.cli import battle
    from arenas.corewar.replay import result_text
    from arenas.corewar.settings import Settings
    output = CliRunner().invoke(battle, ["-b", "-F", str(position), *files]).output
    wins, _losses, ties = map(int, re.search(r"Results: (\d+) (\d+) (\d+)", output).groups())
    names = [assemble_file(f, Settings()).name for f in files]
    return result_text(names, [0, 1] if ties else [0] if wins else [1])


@pytest.mark.parametrize("names,position", [(("jaguar", "npaper2"), 2500), (("imp", "stalker"), 4000)])
def test_replay_plays_and_ends_as_the_battle_command_reports(tmp_path, names, position):
    from redqueen.cli.replay import replay
    files = [str(EXHAUST_DIR / f"{name}.rc") for name in names]
    out = tmp_path / "replay.html"
    result = CliRunner().invoke(replay, [*files, "--arena", "corewar", "-F", str(position), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "http" not in re.sub(r"https?://www\.w3\.org/[\w/]+", "", out.read_text())   # nothing fetched
    with chromium() as driver:
        driver.get(out.as_uri())
        cycle = driver.find_element("id", "cycle")
        assert cycle.text == "0" and driver.find_element("id", "result").text == "playing"
        play_until_it_moves(driver)
        driver.execute_script("document.getElementById('play').click();")        # pause
        total = jump_to_the_end(driver)
        assert int(cycle.text) == total
        assert driver.find_element("id", "result").text == battle_result(files, position)
        assert console_errors(driver) == []


def test_tron_replay_plays_to_the_arena_s_result(tmp_path):
    from arenas.tron.arena import HELDOUT
    from redqueen.cli import main
    from redqueen.cli.replay import replay
    files = [str(HELDOUT / "space_maximiser.py"), str(HELDOUT / "aggressive_cutoff.py")]
    out = tmp_path / "tron.html"
    done = CliRunner().invoke(replay, [*files, "--arena", "tron", "--seed", "0", "--out", str(out)])
    assert done.exit_code == 0, done.output
    # `arena play --seeds 1` plays seed 0 only: its score is that game's result.
    played = CliRunner().invoke(main, ["arena", "play", "--arena", "tron", "--seeds", "1", *files])
    score_a = float(re.search(r"A \S+: score ([\d.]+)", played.output).group(1))
    expected = {1.0: "player 1 (space_maximiser) wins", 0.5: "draw", 0.0: "player 2 (aggressive_cutoff) wins"}
    with chromium() as driver:
        driver.get(out.as_uri())
        play_until_it_moves(driver)
        jump_to_the_end(driver)
        assert driver.find_element("id", "result").text == expected[score_a]
        assert console_errors(driver) == []


def test_ipd_replay_plays_to_the_recorded_payoffs(tmp_path):
    import json
    from redqueen.cli.replay import replay
    programs = Path(__file__).resolve().parents[3] / "arenas" / "ipd" / "programs"
    files = [str(programs / "tit_for_tat.py"), str(programs / "random_moves.py")]
    out = tmp_path / "ipd.html"
    done = CliRunner().invoke(replay, [*files, "--arena", "ipd", "--seed", "0", "--out", str(out)])
    assert done.exit_code == 0, done.output
    trace = json.loads(re.search(r'type="application/json">(.*?)</script>', out.read_text(), re.S).group(1))
    with chromium() as driver:
        driver.get(out.as_uri())
        play_until_it_moves(driver)
        total = jump_to_the_end(driver)
        totals = driver.find_element("id", "payoffs").text
        assert driver.find_element("id", "result").text == trace["result"]
        assert console_errors(driver) == []
    # The page's running totals at the end are the mean payoffs times the turns.
    shown = [int(x) for x in re.findall(r": (\d+)", totals)]
    assert shown == [round(trace["payoff_a"] * total), round(trace["payoff_b"] * total)]


@pytest.mark.parametrize("arena,options,files", [
    ("gathering", ["-A", "map=small", "-A", "steps=100"], ["aggressive_tagger", "greedy_harvester"]),
    ("cleanup", ["-A", "agents=6", "-A", "steps=120"], ["dedicated_cleaner", "free_rider"])])
def test_ssd_replay_plays_to_the_arena_s_returns_and_metrics(tmp_path, arena, options, files):
    import json
    from arenas.ssd.arena import HELDOUT
    from redqueen.cli import main
    from redqueen.cli.replay import replay
    files = [str(HELDOUT / f"{name}.py") for name in files]
    out = tmp_path / f"{arena}.html"
    done = CliRunner().invoke(replay, [*files, "--arena", arena, *options, "--seed", "0", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "http" not in re.sub(r"https?://www\.w3\.org/[\w/]+", "", out.read_text())   # nothing fetched
    # `arena play --seeds 1` plays seed 0 only: its returns and metrics are that episode's.
    played = CliRunner().invoke(main, ["arena", "play", "--arena", arena, *options, "--seeds", "1", "--json", *files])
    details = json.loads(played.output)["details"]
    with chromium() as driver:
        driver.get(out.as_uri())
        cycle = driver.find_element("id", "cycle")
        assert cycle.text == "0" and driver.find_element("id", "result").text == "playing"
        play_until_it_moves(driver)
        jump_to_the_end(driver)
        returns = [float(driver.find_element("id", f"ret{i}").text) for i in range(details["agents"])]
        metrics = {name: float(driver.find_element("id", f"m-{name}").text) for name in details["metrics"][0]}
        assert "apples" in driver.find_element("id", "result").text
        assert console_errors(driver) == []
    assert returns == details["mean_returns"][0]
    assert metrics == pytest.approx(details["metrics"][0], abs=5e-4)
