"""`redqueen serve` as a real process over a real archive: every linked page answers and shows
what it should, nothing can write, and a writer's new rounds show on reload."""
import hashlib
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from redqueen.db import Archive


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)


def links(page):
    return set(re.findall(r'href="(/-/(?:runs|run|program|llm)[^"#]*)"', page))


def test_every_linked_page_answers(server):
    seen, queue = set(), ["/-/runs"]
    while queue:
        path = queue.pop()
        if path in seen or path.endswith("/replay"):
            continue
        seen.add(path)
        status, page, _ = get(server + path.replace("&amp;", "&"))
        assert status == 200, (path, page[:300])
        queue.extend(links(page) - seen)
    kinds = {re.match(r"/-/(\w+)", p).group(1) for p in seen}
    assert kinds >= {"runs", "run", "program", "llm"}
    assert len(seen) > 10


def test_run_page_shows_champions_grid_weights_and_diagnostics(server, web_archive):
    archive = Archive(web_archive, read_only=True)
    champions = archive.champions(1)
    rounds = archive.rounds(1)
    archive.close()
    status, page, _ = get(server + "/-/run/1")
    assert status == 200
    for champion in champions:
        assert f'href="/-/program/{champion["program_id"]}"' in page
        assert _escaped(champion["source"].splitlines()[1]) in page
    assert page.count("<polyline") >= 1 and 'class="heatmap"' in page
    assert 'class="marked"' in page                      # the champion's cell of the last round
    assert 'id="weights"' in page and "cross-play" in page and "α-Rank" in page
    # The shown round's grid has one linked cell per elite.
    archive = Archive(web_archive, read_only=True)
    elites = archive.elites(rounds[0]["id"])
    archive.close()
    status, first, _ = get(server + "/-/run/1?round=0")
    grid = first[first.index('id="grid"'):first.index("</svg>", first.index('id="grid"'))]
    assert grid.count("<a href=") == len(elites)


def _escaped(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def test_program_page_shows_source_lineage_llm_call_and_download(server, web_archive):
    archive = Archive(web_archive, read_only=True)
    child = next(row for row in archive.db.query(
        "SELECT * FROM programs WHERE parent_id IS NOT NULL AND llm_call_id IS NOT NULL"))
    call = archive.llm_call(child["llm_call_id"])
    archive.close()
    status, page, _ = get(server + f"/-/program/{child['id']}")
    assert status == 200
    assert _escaped(child["source"].splitlines()[1]) in page
    assert f'parent: <a href="/-/program/{child["parent_id"]}"' in page
    assert f'href="/-/llm/{call["id"]}"' in page
    assert _escaped(call["response"].splitlines()[0]) in page
    assert _escaped(call["messages"][-1]["content"].splitlines()[0]) in page
    status, text, headers = get(server + f"/-/program/{child['id']}/download")
    assert status == 200 and text.strip() == child["source"].strip()
    assert f"program{child['id']}.red" in headers["content-disposition"]
    status, replay, _ = get(server + f"/-/program/{child['id']}/replay?opponent={child['parent_id']}&position=1000")
    assert status == 200 and "Core War replay" in replay and 'id="trace"' in replay
    status, replay, _ = get(server + f"/-/program/{child['id']}/replay?opponent={child['parent_id']}"
                                     "&position=1000&round=3")
    assert status == 200 and '"round": 3' in replay


def test_failures_and_unknown_ids(server, web_archive):
    archive = Archive(web_archive, read_only=True)
    failures = archive.failures(1)
    archive.close()
    assert failures
    status, page, _ = get(server + "/-/run/1/failures")
    assert status == 200 and page.count('class="failure"') == len(failures)
    assert _escaped(failures[0]["error"]) in page and _escaped(failures[0]["response"].splitlines()[0]) in page
    assert get(server + "/-/program/999999")[0] == 404
    assert get(server + "/-/run/999")[0] == 404


def test_tables_have_descriptions_and_canned_queries(server, web_archive):
    name = web_archive.stem
    status, page, _ = get(server + f"/{name}/programs")
    assert status == 200 and "hash of the compiled program" in page
    status, page, _ = get(server + f"/{name}/run_progress")
    assert status == 200 and "rounds_done" in page


def test_nothing_can_write(server, web_archive):
    before = hashlib.sha256(web_archive.read_bytes()).hexdigest()
    query = urllib.parse.quote("DELETE FROM runs")
    status, page, _ = get(server + f"/{web_archive.stem}?sql={query}")
    assert status != 200 or "Statement must be a SELECT" in page
    request = urllib.request.Request(server + f"/{web_archive.stem}/runs", data=b"x=1", method="POST")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=30)
    with sqlite3.connect(web_archive) as check:
        assert check.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    assert hashlib.sha256(web_archive.read_bytes()).hexdigest() == before


def test_a_writer_s_new_run_shows_on_reload(server, web_archive):
    _, page, _ = get(server + "/-/runs")
    assert "run 2" not in page
    archive = Archive(web_archive)          # a writer beside the server, WAL mode
    try:
        run = archive.create_run("corewar", {"note": "written while serving"}, seed=9, rounds=4)
        _, page, _ = get(server + "/-/runs")
        assert f'href="/-/run/{run}"' in page
    finally:
        archive.db.execute("DELETE FROM runs WHERE id = ?", [run])
        archive.db.conn.commit()
        archive.close()


def test_run_page_plots_the_held_out_generality_eval_stored(server, web_archive):
    import json
    import subprocess
    import sys

    from redqueen.web.pages import run_page
    done = subprocess.run([sys.executable, "-m", "redqueen", "eval", "--run", "1", "--db", str(web_archive),
                           "--seeds", "2", "--against", "archive/heldout", "--json", "-q"],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[3], timeout=600)
    assert done.returncode == 0, done.stderr
    reported = {p["program_id"]: p["generality"] for p in json.loads(done.stdout)["programs"]}
    status, page, _ = get(server + "/-/run/1")
    assert status == 200 and 'id="generality"' in page
    archive = Archive(web_archive, read_only=True)
    try:
        view = run_page(archive, 1)
        from redqueen.web.pages import _heldout_generality
        shown = _heldout_generality(archive, view["run"], view["champions"])
    finally:
        archive.close()
    assert shown == pytest.approx([reported[c["program_id"]] for c in view["champions"]])


def test_serve_refuses_a_missing_archive_in_one_line(tmp_path):
    from click.testing import CliRunner

    from redqueen.cli.serve import serve
    result = CliRunner().invoke(serve, ["--db", str(tmp_path / "none.db")])
    assert result.exit_code != 0 and result.output.strip() == f"Error: {tmp_path / 'none.db'}: no archive here"
