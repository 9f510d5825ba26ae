"""Datasette metadata for an archive: table and column descriptions, and canned queries."""
from __future__ import annotations

TABLES = {
    "runs": ("One evolution run: its arena, configuration and status.", {
        "arena": "arena the run evolves programs for",
        "status": "running, interrupted, failed or finished",
        "config": "the run's configuration (JSON): loop options and arena options",
        "seed": "the run's random seed",
        "rounds": "rounds asked for",
        "elapsed_s": "seconds spent running",
        "error": "the exception that stopped the run, if any",
        "reason": "why the run stopped or failed, for people",
    }),
    "rounds": ("One Red Queen round of a run: MAP-Elites against the earlier champions.", {
        "number": "round number, from 0",
        "opponents": "JSON list of the program ids the round's candidates play",
        "opponent_weights": "JSON weights aligned with opponents (NULL: all equal)",
        "operator_weights": "JSON {mutation operator: weight} of an adaptive mutator (NULL: not used)",
        "seeds": "JSON list of game seeds a candidate's fitness is averaged over",
        "iterations": "MAP-Elites iterations completed",
        "champion_id": "the round's champion (the best elite), once finished",
        "best_fitness": "the champion's fitness",
        "stats": "JSON statistics of the round",
    }),
    "programs": ("Every distinct program a run created or seeded, with its lineage.", {
        "digest": "hash of the compiled program (deduplication key)",
        "source": "the program's text",
        "listing": "the compiled or assembled form",
        "origin": "initial, new, mutate or crossover",
        "mutator": "which mutator or operator made it",
        "parent_id": "the program it was mutated from",
        "mate_id": "the second parent of a crossover",
        "llm_call_id": "the language-model call that wrote it",
        "round": "round that created it (NULL: an initial program)",
    }),
    "evaluations": ("A program's fitness and behaviour descriptors in one round.", {
        "fitness": "fitness against the round's opponents (see fitness_mode)",
        "descriptors": "JSON behaviour descriptor values",
        "cell": "JSON MAP-Elites grid cell of the descriptors",
        "outcome": "new_cell, improved or not_added",
        "beaten_by": "JSON opponent ids that beat the program",
    }),
    "elites": ("The MAP-Elites grid of each round: the best program per cell.", {
        "cell": "JSON grid cell",
    }),
    "champions": ("The champion of each finished round.", {}),
    "failures": ("Candidates that never became programs: no answer, no code, or code that does not parse.", {
        "stage": "request (no answer), extract (no code) or parse (invalid program)",
        "error": "what went wrong",
        "response": "the model's answer, if any",
    }),
    "llm_calls": ("Language-model calls, with prompt, answer, tokens and cost.", {
        "key": "hash of the request: the response cache's key",
        "purpose": "new, mutate, repair, or embedding (--novelty-embeddings)",
        "messages": "JSON chat messages sent",
        "response": "the model's answer",
        "cached": "1 when replayed from the cache (no HTTP call)",
        "cost_usd": "estimated cost in US dollars",
    }),
    "heldout_results": ("Results of programs against held-out opponents (redqueen eval / analyze).", {
        "fitness_a": "the program's mean fitness", "fitness_b": "the opponent's mean fitness",
    }),
    "cross_play": ("The champions' 1v1 payoff matrix of a run (kept for --opponents nash or pfsp).", {
        "payoff": "the row program's payoff against the column program",
    }),
}

QUERIES = {
    "run_progress": {
        "title": "Runs and their progress",
        "sql": """SELECT runs.id, runs.arena, runs.status, runs.reason, runs.rounds,
  (SELECT count(*) FROM rounds WHERE run_id = runs.id AND status = 'finished') AS rounds_done,
  (SELECT count(*) FROM programs WHERE run_id = runs.id) AS programs,
  (SELECT round(sum(cost_usd), 4) FROM llm_calls WHERE run_id = runs.id) AS cost_usd,
  runs.created_at, runs.updated_at
FROM runs ORDER BY runs.id""",
    },
    "champions_of_run": {
        "title": "Champions of a run",
        "sql": """SELECT champions.round, champions.program_id, programs.name, champions.fitness, programs.origin
FROM champions JOIN programs ON programs.id = champions.program_id
WHERE champions.run_id = :run ORDER BY champions.round""",
    },
    "failures_by_stage": {
        "title": "Failed candidates by stage",
        "sql": "SELECT run_id, stage, count(*) AS failures FROM failures GROUP BY run_id, stage ORDER BY run_id, stage",
    },
    "llm_cost": {
        "title": "Language-model calls and cost per run",
        "sql": """SELECT run_id, model, count(*) AS calls, sum(cached) AS cached,
  sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
  round(sum(cost_usd), 4) AS cost_usd
FROM llm_calls GROUP BY run_id, model ORDER BY run_id""",
    },
}


def metadata(database: str) -> dict:
    """Datasette metadata for the archive served under the name `database`."""
    tables = {name: {"description": text, "columns": columns} for name, (text, columns) in TABLES.items()}
    return {
        "title": "redqueen archive",
        "description_html": 'Runs, rounds, programs and their lineage. Start at <a href="/-/runs">the runs</a>.',
        "databases": {database: {"tables": tables, "queries": QUERIES}},
    }
