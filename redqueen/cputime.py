"""CPU time (user + system seconds) spent by this process and the processes it started.

`getrusage` counts this process (all its threads) and the children it has already reaped;
worker processes still alive (pools kept for a whole run) are read from /proc on Linux, each
with the reaped children of its own. Elsewhere live workers are not counted until reaped.
"""
from __future__ import annotations

import os
import resource

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds() -> float:
    """CPU seconds so far of this process, its reaped children and its live descendants."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime + live_descendants_seconds()


def live_descendants_seconds(root: int | None = None) -> float:
    """CPU seconds of the live descendants of `root` (this process), each with its own reaped
    children (utime, stime, cutime, cstime of /proc/PID/stat); 0 without /proc."""
    parents, ticks = _process_table()
    root = os.getpid() if root is None else root
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        total += ticks[pid]
        todo.extend(children.get(pid, []))
    return total / _TICK


def _process_table() -> tuple[dict[int, int], dict[int, int]]:
    """{pid: parent pid} and {pid: CPU clock ticks} of every process /proc shows."""
    parents, ticks = {}, {}
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return parents, ticks
    for name in entries:
        try:
            with open(f"/proc/{name}/stat") as stat:
                text = stat.read()
        except OSError:                  # the process ended meanwhile
            continue
        fields = text[text.rindex(")") + 2:].split()    # after "pid (command) ": state, ppid, ...
        pid = int(name)
        parents[pid] = int(fields[1])
        ticks[pid] = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return parents, ticks


class CpuMeter:
    """CPU seconds since the last `take()` (or since creation): what a committed step cost.
    Never negative (a worker's time moving from /proc to getrusage when it is reaped can
    dip for an instant)."""

    def __init__(self):
        self.mark = cpu_seconds()

    def take(self) -> float:
        now = cpu_seconds()
        spent, self.mark = max(0.0, now - self.mark), max(now, self.mark)
        return spent
