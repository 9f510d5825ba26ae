"""`pipeline`: requests of several batches in flight while answers are evaluated, and a round
interrupted mid-way resumes to the same run (the batches in flight are committed with each step)."""
from chatserver import ChatServer
from redqueen.db import Archive
from tiny_llm import good, hand, play, resume, start, tiny_config


def slow(body, index):
    return ("slow", 0.05, f"```rps\n{hand(body.get('seed', 0))}\n```")


def pipelined(**options):
    return tiny_config(None, rounds=2, iters=24, pipeline=3, **options)


def test_requests_of_several_batches_are_in_flight_at_once(tmp_path):
    archive = Archive(tmp_path / "pipeline.db")
    with ChatServer(slow) as server:
        config = pipelined(llm=dict(base_url=server.base_url, concurrency=12))
        play(start(archive, config))
    assert archive.run(1)["status"] == "finished"
    assert server.max_in_flight > config.batch          # one batch alone never has more than 4
    assert server.max_in_flight <= 12                   # the concurrency limit holds across batches
    rounds = archive.rounds(1)
    assert [r["iterations"] for r in rounds] == [24, 24] and all(r["stats"]["pending"] == [] for r in rounds)
    archive.close()


def test_a_pipelined_round_interrupted_mid_way_resumes_to_the_same_run(tmp_path):
    def stop_mid_round(loop, state):
        if state.number == 1 and state.iterations >= 8:
            raise KeyboardInterrupt

    results, interrupted = [], []
    for name, on_step in (("whole", None), ("stopped", stop_mid_round)):
        archive = Archive(tmp_path / f"{name}.db")
        with ChatServer(good) as server:
            loop = start(archive, pipelined(llm=dict(base_url=server.base_url, concurrency=12)), on_step)
            try:
                play(loop)
            except KeyboardInterrupt:
                assert archive.round_row(1, 1)["stats"]["pending"]       # batches were in flight
                interrupted.append(name)
                play(resume(archive, 1))
        results.append(([c["digest"] for c in archive.champions(1)],
                        [r["stats"]["candidates"] for r in archive.rounds(1)]))
        archive.close()
    assert interrupted == ["stopped"] and results[0] == results[1]
