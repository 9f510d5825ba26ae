"""The Datasette plugin of `redqueen serve`: the lab's pages over the archive.

Routes (all GET, all read-only):
  /-/runs                         every run: arena, status and reason, progress, cost
  /-/run/RUN[?round=N]            fitness per round, champions, a round's MAP-Elites grid,
                                  opponent weights, the champions' cross-play
  /-/run/RUN/failures             the run's failed candidates
  /-/program/ID                   source, listing, evaluations, held-out results, lineage
  /-/program/ID/download          the program file
  /-/program/ID/replay?opponent=J[&position=P][&seed=S][&round=N]
                                  the arena's replay of ID against J (Core War, Tron)
  /-/llm/ID                       one language-model call: prompt and answer
"""
from __future__ import annotations

import asyncio
import html

from datasette import hookimpl
from datasette.utils.asgi import Response

ARCHIVE_PATH = {}      # set by `redqueen serve`: {"path": the archive file}


def _archive():
    from redqueen.db import Archive
    return Archive(ARCHIVE_PATH["path"], read_only=True)


async def _read(function, *args):
    """Run `function(archive, *args)` on a fresh read-only connection in a worker thread."""
    def work():
        archive = _archive()
        try:
            return function(archive, *args)
        finally:
            archive.close()
    return await asyncio.to_thread(work)


async def _page(datasette, request, template, function, *args):
    from redqueen.db import ArchiveError
    try:
        context = await _read(function, *args)
    except ArchiveError as error:
        return Response.html(f"<h1>Not found</h1><p>{html.escape(str(error))}</p>", status=404)
    context["database"] = ARCHIVE_PATH.get("name")
    return Response.html(await datasette.render_template(template, context, request=request))


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


async def runs(datasette, request):
    def read(archive):
        rows = archive.runs()
        costs = {}
        for row in rows:
            calls = archive.llm_calls(row["id"])
            costs[row["id"]] = sum(c["cost_usd"] or 0 for c in calls)
        return dict(runs=rows, costs=costs)
    return await _page(datasette, request, "rq_runs.html", read)


async def run(datasette, request):
    from .pages import run_page
    number = _int(request.args.get("round"))
    return await _page(datasette, request, "rq_run.html", run_page, request.url_vars["run"], number)


async def failures(datasette, request):
    def read(archive, run_id):
        return dict(run=archive.run(run_id), failures=archive.failures(run_id))
    return await _page(datasette, request, "rq_failures.html", read, request.url_vars["run"])


async def program(datasette, request):
    from .pages import program_page
    return await _page(datasette, request, "rq_program.html", program_page, request.url_vars["id"])


async def download(datasette, request):
    from .pages import program_page
    from redqueen.db import ArchiveError
    try:
        page = await _read(program_page, request.url_vars["id"])
    except ArchiveError as error:
        return Response.text(str(error), status=404)
    source = page["program"]["source"]
    name = f"program{page['program']['id']}{page['suffix']}"
    return Response.text(source if source.endswith("\n") else source + "\n",
                         headers={"content-disposition": f'attachment; filename="{name}"'})


async def replay(datasette, request):
    from redqueen.db import ArchiveError
    opponent = _int(request.args.get("opponent"))
    position = _int(request.args.get("position"))
    seed = _int(request.args.get("seed"))
    round_number = _int(request.args.get("round"))
    rounds = {} if round_number is None else {"round_number": round_number}
    if opponent is None:
        return Response.text("give ?opponent=PROGRAM_ID", status=400)

    def read(archive, program_id):
        from redqueen.analysis.runs import run_arena
        rows = [archive.program(program_id), archive.program(opponent)]
        _, _, _, arena = run_arena(archive, rows[0]["run_id"])
        if not hasattr(arena, "replay_page"):
            raise ValueError(f"arena {arena.name} has no replays")
        if rounds and "round" not in getattr(arena, "replay_options", ()):
            raise ValueError(f"arena {arena.name} has no rounds to choose")
        programs = [arena.parse(r["source"], origin=f"program {r['id']}") for r in rows]
        return arena.replay_page(programs, seed=seed, position=position, **rounds)
    try:
        page = await _read(read, request.url_vars["id"])
    except ArchiveError as error:
        return Response.text(str(error), status=404)
    except ValueError as error:
        return Response.text(str(error), status=400)
    return Response.html(page)


async def llm_call(datasette, request):
    def read(archive, call_id):
        return dict(call=archive.llm_call(call_id))
    return await _page(datasette, request, "rq_llm.html", read, _int(request.url_vars["id"], -1))


@hookimpl
def register_routes():
    return [
        (r"^/-/runs$", runs),
        (r"^/-/run/(?P<run>\d+|latest)$", run),
        (r"^/-/run/(?P<run>\d+|latest)/failures$", failures),
        (r"^/-/program/(?P<id>\d+)$", program),
        (r"^/-/program/(?P<id>\d+)/download$", download),
        (r"^/-/program/(?P<id>\d+)/replay$", replay),
        (r"^/-/llm/(?P<id>\d+)$", llm_call),
    ]


@hookimpl
def menu_links(datasette, actor):
    return [{"href": "/-/runs", "label": "Runs"}]
