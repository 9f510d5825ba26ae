"""Deliberate ends of a run before its last round, with a status and a reason for people.

`RedQueen.run` stores both (`runs.status`, `runs.reason`) and re-raises; the command line prints
the reason and exits non-zero. A run ended this way resumes with `redqueen evolve --resume RUN`.
"""
from __future__ import annotations


class RunStopped(Exception):
    """Stop the run: `status` is `failed` (something broke, e.g. the endpoint keeps failing) or
    `stopped` (a limit was reached, e.g. the cost cap); `reason` is one line for people."""

    def __init__(self, reason: str, status: str = "failed"):
        super().__init__(reason)
        self.reason, self.status = reason, status
