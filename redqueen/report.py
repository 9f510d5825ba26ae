"""The held-out evaluation report (what `redqueen eval` prints): programs from files, archived
program ids and runs' champions, played 1v1 against a held-out set, as one JSON-serialisable
dict. Python callers get the same report as the command line."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

from .analysis.runs import AnalysisError, champions, run_arena
from .heldout import ArenaSpec, HeldoutStore, arena_key, default_seeds, evaluate_heldout, load_heldout


def heldout_report(archive, programs: Sequence[str] = (), runs: Sequence = (), arena: str = "corewar",
                   arena_options: dict | None = None, against: str | None = None,
                   only: Sequence[str] | None = None, seeds: int = 20, seed: int = 0, jobs: int = 1,
                   progress: bool = True, executor=None) -> dict:
    """Every program of `programs` (files, directories of files, archived program ids) and every
    champion of `runs`, against the held-out set (`against`, else the arena's own, else the
    project's), over `seeds` game seeds drawn from `seed`; results are stored in and reused from
    `archive`. Files are read as arena `arena` with `arena_options` (text or typed values,
    checked against its declarations); archived programs use their run's arena. Raises
    AnalysisError, HeldoutError, ProgramError, UnknownArena or OptionError, each one line."""
    selection = _select(archive, programs, runs, arena, arena_options or {})
    chosen = selection["arena"]
    heldout = load_heldout(chosen, against, only)
    game_seeds = default_seeds(seeds, seed)
    spec = ArenaSpec(selection["name"], selection["options"], str(Path(against).resolve()) if against else None,
                     tuple(only) if only else None)
    started = time.perf_counter()
    results = evaluate_heldout(chosen, selection["programs"], heldout, game_seeds,
                               labels=selection["labels"], store=HeldoutStore(archive),
                               key=arena_key(selection["name"], selection["options"]), jobs=jobs,
                               spec=spec, program_ids=selection["ids"], progress=progress, executor=executor)
    elapsed = time.perf_counter() - started
    played = sum(r.played for r in results)
    return dict(arena=selection["name"], arena_options=selection["options"], heldout=heldout.source,
                opponents=len(heldout), seeds=len(game_seeds),
                jobs=executor.workers if executor is not None and executor.name != "local" else jobs,
                executor=executor.name if executor is not None else "local", elapsed_s=round(elapsed, 3),
                games_played=played * len(game_seeds), generality_rule=results[0].summary["generality_rule"],
                skipped=[dict(file=f, reason=r) for f, r in heldout.skipped],
                programs=[dict(program=r.label, program_id=r.program_id, digest=r.digest,
                               **r.summary_fields(), wins=int(r.results.wins.sum()),
                               ties=int(r.results.ties.sum()), losses=int(r.results.losses.sum()),
                               played_now=r.played, per_opponent=r.per_opponent(heldout))
                          for r in results])


def _select(archive, arguments, runs, arena_name, arena_options) -> dict:
    """The programs to evaluate, their labels and archive ids, and the one arena they share."""
    from .registry import check_options, make_arena
    chosen = dict(name=None, options=None, arena=None, programs=[], labels=[], ids=[])

    def use_arena(name, options, arena=None, where=""):
        if chosen["name"] is None:
            chosen.update(name=name, options=options, arena=arena or make_arena(name, options))
        elif (name, options) != (chosen["name"], chosen["options"]):
            raise AnalysisError(f"{where}: arena {name} {options} differs from {chosen['name']} "
                                f"{chosen['options']}; evaluate one arena at a time")
        return chosen["arena"]

    for run_id in runs:
        run, name, options, arena = run_arena(archive, run_id)
        arena = use_arena(name, options, arena, f"run {run['id']}")
        for champion in champions(archive, arena, run["id"]):
            _add(chosen, champion.program, champion.label, champion.program_id)
    for argument in arguments:
        path = Path(argument)
        if path.exists():
            arena = use_arena(arena_name, check_options(arena_name, arena_options), where=argument)
            files = sorted(path.glob(f"*{arena.program_suffix}")) if path.is_dir() else [path]
            for file in files:
                _add(chosen, arena.parse(file.read_text(errors="replace"), origin=str(file)), file.stem, None)
        elif str(argument).isdigit():
            row = archive.program(argument)
            run, name, options, arena = run_arena(archive, row["run_id"])
            arena = use_arena(name, options, arena, f"program {row['id']}")
            program = arena.parse(row["source"], origin=f"program {row['id']}")
            _add(chosen, program, f"program{row['id']}", row["id"])
        else:
            raise AnalysisError(f"{argument}: no such file, and not a program id")
    if not chosen["programs"]:
        raise AnalysisError("nothing to evaluate (the runs have no finished round yet?)")
    return chosen


def _add(chosen, program, label, program_id):
    chosen["programs"].append(program)
    chosen["labels"].append(label)
    chosen["ids"].append(program_id)
