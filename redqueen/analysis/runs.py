"""Reading runs out of the archive for analysis: the arena each was played in, and its
champions as parsed programs. Arena-agnostic: the arena is rebuilt by name with the run's
own options."""
from __future__ import annotations

from dataclasses import dataclass


class AnalysisError(ValueError):
    """Runs that cannot be analysed together: one clear line."""


@dataclass
class Champion:
    run: int
    round: int
    program_id: int
    program: object          # the arena's parsed program

    @property
    def label(self) -> str:
        return f"run{self.run}/round{self.round}"


def run_arena(archive, run_id, arena=None):
    """(run row, arena name, arena options, arena object) of an archived run. An `arena` object
    given is used instead of building one from the registry (an arena not installed, as in
    tests); it must carry the run's arena name."""
    from ..registry import UnknownArena, make_arena
    from ..options import OptionError
    run = archive.run(run_id)
    options = dict(run["config"].get("arena_options") or {})
    if arena is not None:
        if arena.name != run["arena"]:
            raise AnalysisError(f"run {run['id']} was played in {run['arena']}, not {arena.name}")
        return run, run["arena"], options, arena
    try:
        arena = make_arena(run["arena"], options)
    except (UnknownArena, OptionError) as error:
        raise AnalysisError(f"run {run['id']}: {error}") from None
    return run, run["arena"], options, arena


def common_arena(archive, run_ids, arena=None):
    """The one arena (name, options, object) shared by all the runs; an error if they differ."""
    if not run_ids:
        raise AnalysisError("no run given")
    found = [run_arena(archive, run_id, arena) for run_id in run_ids]
    first = found[0]
    for run, name, options, _ in found[1:]:
        if (name, options) != (first[1], first[2]):
            raise AnalysisError(f"run {run['id']} was played in {name} {options}, run {first[0]['id']} in "
                                f"{first[1]} {first[2]}: analyse runs of one arena together")
    return [f[0] for f in found], first[1], first[2], first[3]


def champions(archive, arena, run_id) -> list[Champion]:
    """The champions of a run's finished rounds, in round order, parsed by the arena."""
    run_id = archive.run(run_id)["id"]
    result = []
    for row in archive.champions(run_id):
        program = arena.parse(row["source"], origin=f"program {row['program_id']}")
        result.append(Champion(run_id, row["round"], row["program_id"], program))
    return result
