"""How much `--tune` raises fitness per language-model request, on a stand-in endpoint.

A local chat server (127.0.0.1) answers every request with a warrior drawn, by the request's seed,
from ../shared/warriors/koenigstuhl-94nop (a public hill's warriors standing in for a model that
writes competent code; never the held-out set). Two runs with the same seed, one without and one
with `--tune EVALS`, see the same answers; the script reports, per run, the champions' fitness and,
for the tuned run, how many proposals tuning improved and the mean fitness gain of a tuned child
over its raw parent, per request.

    python3 scripts/bench_llm_tune.py [--rounds 2] [--iters 24] [--tune 16] [--seeds 4]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "llm")]
HILL = REPO.parent / "shared" / "warriors" / "koenigstuhl-94nop"


def stand_in(warriors):
    def respond(body, index):
        return ("ok", "```redcode\n" + warriors[body.get("seed", 0) % len(warriors)] + "\n```")
    return respond


def evolve(db, url, args, *extra):
    command = [sys.executable, "-m", "redqueen", "evolve", "--mutator", "llm", "--base-url", url,
               "--model", "stand-in", "--rounds", str(args.rounds), "--iters", str(args.iters),
               "--seeds", str(args.seeds), "--seed", "1", "--quiet", "--db", str(db), *extra]
    env = {"OPENAI_API_KEY": "stand-in", "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    if result.returncode:
        sys.exit(result.stderr)


def main():
    from chatserver import ChatServer
    from redqueen.db import Archive
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--iters", type=int, default=24)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--tune", type=int, default=16)
    args = parser.parse_args()
    if not HILL.is_dir():
        sys.exit(f"{HILL}: not found (the stand-in answers come from it)")
    warriors = [p.read_text(errors="replace") for p in sorted(HILL.glob("*.red"))]
    work = Path(tempfile.mkdtemp())
    with ChatServer(stand_in(warriors)) as server:
        evolve(work / "plain.db", server.base_url, args)
        evolve(work / "tuned.db", server.base_url, args, "--tune", str(args.tune))
    for name in ("plain", "tuned"):
        archive = Archive(work / f"{name}.db")
        champions = [round(c["fitness"], 4) for c in archive.champions(1)]
        requests = sum(1 for c in archive.llm_calls(1) if not c["cached"])
        line = f"{name:6} requests {requests:4}  champions {champions}"
        if name == "tuned":
            gains = []
            for child in archive.db.query("SELECT * FROM programs WHERE origin = 'tune'"):
                mine = archive.db.execute("SELECT round_id, fitness FROM evaluations WHERE program_id = ?",
                                          [child["id"]]).fetchone()
                theirs = archive.evaluation(mine[0], child["parent_id"]) if mine else None
                if theirs:
                    gains.append(mine[1] - theirs["fitness"])
            proposals = archive.db.execute(
                "SELECT count(*) FROM programs WHERE origin IN ('new', 'mutate')").fetchone()[0]
            line += (f"  improved {len(gains)}/{proposals} proposals, mean gain {statistics.fmean(gains or [0]):.4f}, "
                     f"gain per request {sum(gains) / max(requests, 1):.4f}")
        print(line)
        archive.close()


if __name__ == "__main__":
    main()
