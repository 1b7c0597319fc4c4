"""The clocks that time learner code: CPU time it used, not the wall clock of a busy machine.

On Linux the worker tree's CPU time comes from its cgroup (every process it started) or from
/proc/<pid>/stat (the worker and the children it reaped), and the time it spent runnable but
waiting for a CPU from /proc/<pid>/schedstat. Elsewhere (macOS, Windows, a Linux without /proc)
psutil reads the worker's CPU time and that of its live children. Only where no CPU clock can be
read at all is the wall clock used, divided by WALL_FALLBACK_FACTOR so a loaded laptop still gets
slack, and a timeout then says it was measured on the wall clock.
"""

from __future__ import annotations

import os

WALL_FALLBACK_FACTOR = 3.0
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") and "SC_CLK_TCK" in os.sysconf_names else 100


def cpu_seconds(pid: int, cgroup_usage_file: str | None = None) -> float | None:
    """User + system CPU seconds of the worker (tree), or None when this system can't tell."""
    seconds = _kernel_cpu_seconds(pid, cgroup_usage_file)
    return seconds if seconds is not None else process_cpu_seconds(pid)


def _kernel_cpu_seconds(pid: int, cgroup_usage_file: str | None) -> float | None:
    if cgroup_usage_file:
        try:
            with open(cgroup_usage_file) as handle:
                return int(handle.read().strip()) / 1e9
        except (OSError, ValueError):
            pass
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        # fields after the command: state is [0]; utime, stime, cutime, cstime are [11:15]
        return sum(int(value) for value in fields[11:15]) / _TICKS
    except (OSError, ValueError, IndexError):
        return None


_processes: dict = {}  # pid -> psutil.Process: created once, so a reused pid is not mistaken for the worker


def process_cpu_seconds(pid: int) -> float | None:
    """CPU seconds of a process and its live descendants through psutil (any platform), or None."""
    try:
        import psutil
    except ImportError:
        return None
    try:
        process = _processes.get(pid)
        if process is None:
            process = _processes[pid] = psutil.Process(pid)
        times = process.cpu_times()
        total = times.user + times.system + getattr(times, "children_user", 0.0) + getattr(times, "children_system", 0.0)
        for child in process.children(recursive=True):
            try:
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
            except psutil.Error:
                pass  # it ended meanwhile
        return total
    except (psutil.Error, OSError, ValueError):
        _processes.pop(pid, None)
        return None


def forget(pid: int) -> None:
    """Drop the cached handle of a worker that is gone."""
    _processes.pop(pid, None)


def run_delay(pid: int) -> float | None:
    """Seconds the main thread waited on a run queue (scheduler statistics), or None."""
    try:
        with open(f"/proc/{pid}/schedstat") as handle:
            return int(handle.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def idle_limit(cpu_timeout: float) -> float:
    """How long a call may sit neither running nor waiting for a CPU (sleeping, blocked) before it is stopped."""
    return max(2.0 * cpu_timeout, 10.0)


def hard_wall_limit(cpu_timeout: float) -> float:
    """The last-resort wall-clock backstop, far beyond anything a starved but working call needs."""
    return 30.0 * cpu_timeout + 120.0
