"""CPU time of a command's whole process tree, orphans included (Linux).

`getrusage(RUSAGE_CHILDREN)` counts only the processes that were waited for, up the tree: a
process whose parent ended first (a zygote whose grading process was killed, a spare interpreter
still warming when `grade` exited) is reaped by init, and its CPU, with that of every worker it
reaped, is missing from the parent's count. Made the measuring process's subreaper, those orphans
are ours to reap, and their CPU is counted.
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys

_PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> bool:
    """Make this process the subreaper of its descendants; False where the system has none."""
    if not sys.platform.startswith("linux"):
        return False
    return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def reap_orphans() -> None:
    """Wait for every descendant left behind (call once the measured command has ended)."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def tree_cpu() -> float:
    """User + system CPU seconds of every descendant reaped so far."""
    reap_orphans()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
