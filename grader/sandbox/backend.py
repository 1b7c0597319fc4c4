"""Which worker backend this machine can run, found by trying what it needs (not by sys.platform).

- `fork`: the warm zygote forking confined workers (grader.sandbox.client.Zygote). It needs
  os.fork, AF_UNIX SOCK_SEQPACKET socketpairs (macOS refuses them with EPROTONOSUPPORT) and
  fd passing (Windows has none of these).
- `portable`: a spawned, warmed interpreter per exercise (grader.sandbox.portable), over
  multiprocessing.connection; it runs wherever Python runs, with the layers the platform lets a
  process apply to itself.

GRADE_WORKER_BACKEND=fork|portable|auto (default auto) forces one; forcing `fork` where it cannot
work is a clear error, not a traceback.
"""

from __future__ import annotations

import os
import socket

ENV = "GRADE_WORKER_BACKEND"
CHOICES = ("auto", "fork", "portable")


class BackendUnavailable(RuntimeError):
    """The backend asked for cannot run here."""


def fork_problem() -> str | None:
    """Why the fork zygote cannot run on this machine, or None when it can (probed, once per call)."""
    if not hasattr(os, "fork"):
        return "os.fork is not available"
    for name in ("AF_UNIX", "SOCK_SEQPACKET", "send_fds", "recv_fds"):
        if not hasattr(socket, name):
            return f"socket.{name} is not available"
    try:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    except OSError as exc:
        return f"AF_UNIX SOCK_SEQPACKET socketpairs are refused ({exc.strerror or exc})"
    ours.close()
    theirs.close()
    return None


def requested() -> str:
    """The backend GRADE_WORKER_BACKEND asks for ('auto' when unset or empty)."""
    value = os.environ.get(ENV, "").strip().lower() or "auto"
    if value not in CHOICES:
        raise BackendUnavailable(f"{ENV} must be one of {', '.join(CHOICES)}, not {value!r}")
    return value


def choose() -> str:
    """'fork' or 'portable': what was asked for, else the fork zygote wherever it can run."""
    wanted = requested()
    if wanted == "portable":
        return "portable"
    problem = fork_problem()
    if wanted == "fork" and problem:
        raise BackendUnavailable(f"{ENV}=fork, but the fork backend cannot run here: {problem}")
    return "fork" if problem is None else "portable"


def start(disabled: frozenset[str] | None = None):
    """Start the chosen backend now, before the caller imports torch, so both warm-ups overlap."""
    from grader.sandbox.client import SandboxUnavailable

    try:
        chosen = choose()
    except BackendUnavailable as exc:
        return Unavailable(str(exc))
    if chosen == "fork":
        from grader.sandbox.client import Zygote

        return Zygote.start(disabled)
    from grader.sandbox.portable import PortableWorkers

    try:
        return PortableWorkers.start(disabled)
    except SandboxUnavailable as exc:  # said when the first worker is asked for, inside the command's handling
        return Unavailable(str(exc))


class Unavailable:
    """Stands in for a backend that cannot run: the first worker asked for raises SandboxUnavailable."""

    backend = "none"
    restarts = 0

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.disabled = frozenset()

    def spawn(self, path, name):
        from grader.sandbox.client import SandboxUnavailable

        raise SandboxUnavailable(self.problem)

    def layers(self) -> list[str]:
        return self.spawn(None, None)

    def close(self) -> None:
        pass

