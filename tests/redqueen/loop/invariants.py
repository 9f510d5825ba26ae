"""Checks that hold for every finished run in an archive, whatever the arena."""
import json

import numpy as np

from redqueen.db import Archive
from redqueen.loop import RunConfig, grid_descriptors, opponent_spec


def replayed(stats: dict) -> dict:
    """A round's statistics without the measured CPU seconds: what a resumed or repeated run
    must reproduce exactly."""
    return {key: value for key, value in stats.items() if key != "cpu_s"}


def check_run(archive: Archive, run_id: int, arena, reevaluate: bool = True) -> None:
    run = archive.run(run_id)
    config = RunConfig.from_json(run["config"])
    assert run["status"] == "finished"
    assert archive.integrity_check() == "ok"
    rounds = archive.rounds(run_id)
    assert [r["number"] for r in rounds] == list(range(config.rounds))
    assert all(r["status"] == "finished" for r in rounds)
    champions = archive.champions(run_id)
    assert [c["round"] for c in champions] == list(range(config.rounds))

    initial = [row["id"] for row in archive.db.query(
        "SELECT id FROM programs WHERE run_id = ? AND origin = 'initial' ORDER BY id", [run_id])]
    for row, champion in zip(rounds, champions):
        earlier = champions[:row["number"]]
        spec = opponent_spec(config)
        kept = earlier[len(earlier) - spec.history:] if spec.kind == "last" and spec.history else \
            [] if spec.kind == "last" else earlier
        # each champion, then its exploiter if it has one
        recent = [pid for c in kept for pid in (c["program_id"], c["exploiter_id"]) if pid is not None]
        for c in kept if config.elite_opponents else ():     # then each round's fittest other elites
            elites = archive.elites(archive.round_row(run_id, c["round"])["id"])
            ranked = [e["program_id"] for e in sorted(elites, key=lambda e: (-e["fitness"], e["program_id"]))]
            recent += [pid for pid in ranked if pid not in initial + recent][:config.elite_opponents]
        for number in range(row["number"] if config.fresh_opponents else 0):   # then every earlier round's draws
            rng = np.random.default_rng([config.seed, 2**21, number])
            drawn = [archive.program_id(run_id, p.digest) for p in arena.draw_programs(rng, config.fresh_opponents)]
            recent += [pid for pid in dict.fromkeys(drawn) if pid not in initial + recent]
        if spec.needs_payoff:     # weighted: as many places as the population, given by weight
            assert len(row["opponents"]) == len(initial + recent) and set(row["opponents"]) <= set(initial + recent)
        else:
            assert row["opponents"] == initial + recent, f"round {row['number']} opponents"
        evaluations = list(archive.db.query("SELECT * FROM evaluations WHERE round_id = ?", [row["id"]]))
        assert evaluations
        for evaluation in evaluations:
            assert json.loads(evaluation["opponents"]) == row["opponents"]
            assert json.loads(evaluation["seeds"]) == row["seeds"]
            descriptors = json.loads(evaluation["descriptors"])
            cell = [d.bin(descriptors[d.name]) for d in grid_descriptors(config, arena)]
            assert json.loads(evaluation["cell"]) == cell
        # Each elite is the fittest evaluation of its cell; the champion the fittest of all.
        by_cell = {}
        for evaluation in evaluations:
            by_cell.setdefault(evaluation["cell"], []).append(evaluation["fitness"])
        elites = archive.elites(row["id"])
        assert sorted(json.dumps(e["cell"]) for e in elites) == sorted(by_cell)
        for elite in elites:
            assert elite["fitness"] == max(by_cell[json.dumps(elite["cell"])])
        champion_evaluation = next(e for e in evaluations if e["program_id"] == champion["program_id"])
        if "confirmation" in row["stats"]:   # crowned on the round's seeds and fresh ones together
            confirmation = row["stats"]["confirmation"]
            assert str(champion["program_id"]) in confirmation
            assert abs(champion["fitness"] - max(confirmation.values())) < 1e-6
            assert champion["fitness"] == row["best_fitness"]
        else:
            assert champion["fitness"] == max(e["fitness"] for e in evaluations) == row["best_fitness"]
        assert champion["program_id"] in [e["program_id"] for e in elites]
        assert champion["opponents"] == row["opponents"]
        if reevaluate:
            program = arena.parse(champion["source"])
            opponents = [arena.parse(archive.program(p)["source"]) for p in row["opponents"]]
            [again] = arena.evaluate([program], opponents, row["seeds"], fitness=config.fitness)
            assert again.fitness == champion_evaluation["fitness"], f"round {row['number']} re-evaluation"
