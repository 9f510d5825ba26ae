"""`redqueen serve`: a read-only web view of the archive, on Datasette.

Datasette gives the tables (with the descriptions of `metadata.py`), SQL and canned queries;
`plugin.py` adds the lab's own pages (runs, a run, a program, an LLM call, replays) rendered
with the templates in `templates/`, from a read-only `redqueen.db.Archive` opened per request,
so a page reload shows what a running `redqueen evolve` has committed since.
"""
