"""A spawned worker interpreter (portable backend): warm up, confine itself, then serve modules.

Runs as `python -I -B -c ...` started by grader.sandbox.portable. Its set-up (the channel's
address and key, the plan, its scratch folder) arrives pickled on stdin from the trusted side, the
only writer of that pipe. It connects first, imports and warms torch exactly as the fork zygote
does, applies the layers a process can apply to itself on this platform, reports which held, and
waits: when handed a module it serves it as a forked worker would. Asked to recycle, it proves it
is as clean as a fresh interpreter (grader.sandbox.recycle) and takes the next module of the same
folder, or exits.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import sys
import threading
import time

_hard_exit = os._exit  # saved: the worker replaces os._exit to report learner calls to it


def confine_self(plan, scratch: str | None) -> list[str]:
    """Each layer this process can apply to itself, tried on its own; the names of those that held."""
    from grader.catalog import kit
    from grader.sandbox import confine, landlock, seccomp

    layers: list[str] = []
    if scratch and plan.wants("private-tmp"):
        os.chdir(scratch)
        for name in ("TMPDIR", "TEMP", "TMP", "HOME", "USERPROFILE", "MPLCONFIGDIR", "XDG_CACHE_HOME",
                     "TORCHINDUCTOR_CACHE_DIR"):
            os.environ[name] = scratch
        import tempfile

        tempfile.tempdir = scratch
        layers.append("private-tmp")
    if plan.wants("resource-limits") and confine.limit_resources(plan, per_uid_processes=False):
        layers.append("resource-limits")
    if plan.wants("unprivileged") and confine._drop_privileges(None):
        layers.append("unprivileged")
    confine.die_with_parent()
    if confine.linux() and plan.wants("landlock"):
        readable = confine.readable_paths(plan.hidden_paths, shared=(str(kit.GRADER_DIR / "data"),))
        try:
            landlock.restrict(readable, [scratch] if scratch else [], ["/dev/null", "/dev/zero", "/dev/urandom",
                                                                      "/dev/random"])
            layers.append("landlock")
        except OSError:
            pass
    if confine.linux() and plan.wants("seccomp"):
        try:
            seccomp.forbid_new_sockets()
            layers.append("seccomp")
        except OSError:
            pass
    kit_root = os.path.realpath(str(kit.KIT_ROOT))
    sys.path[:] = [path for path in sys.path if path and not confine._under_any(os.path.realpath(path),
                                                                               (*plan.hidden_paths, kit_root))]
    return layers


def _watch_parent(parent: int) -> None:
    """End this worker when the grader is gone (Linux also has the parent-death signal; others need this)."""
    try:
        import psutil

        grader = psutil.Process(parent)
        alive = grader.is_running  # compares start times too: a reused pid is not the grader
    except Exception:  # noqa: BLE001 - no psutil, or the grader is already gone
        alive = lambda: os.getppid() == parent  # noqa: E731

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                if not alive():
                    _hard_exit(0)
            except Exception:  # noqa: BLE001
                _hard_exit(0)

    threading.Thread(target=watch, name="grade-parent-watch", daemon=True).start()


def _empty(scratch: str | None) -> None:
    """Remove everything the served module left in the worker's private folder."""
    if not scratch:
        return
    for entry in os.scandir(scratch):
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle; it stops us
    setup = pickle.load(sys.stdin.buffer)  # written by the trusted side, the only writer of this pipe
    from multiprocessing.connection import Client

    conn = Client(setup["address"], family=setup["family"], authkey=setup["authkey"])
    from grader.grading import startup
    from grader.sandbox import zygote

    with startup.uncollected():
        zygote.warm_up()
        from grader.sandbox import worker

        snapshot = worker.take_snapshot()
    try:
        import psutil  # noqa: F401 - read before confinement, for the parent watch
    except ImportError:
        pass
    layers = confine_self(setup["plan"], setup["scratch"])
    _watch_parent(setup["parent"])
    conn.send_bytes(json.dumps({"pid": os.getpid(), "layers": layers}).encode())
    try:
        assignment = pickle.loads(conn.recv_bytes())  # from the trusted side
    except (EOFError, OSError):
        _hard_exit(0)
    def next_module() -> dict | None:
        _empty(setup["scratch"])  # the next module finds the private folder as a fresh worker does
        try:
            return pickle.loads(conn.recv_bytes())  # from the trusted side, as the first one
        except (EOFError, OSError):
            return None

    worker.serve(conn, assignment["path"], assignment["name"], assignment["source"], snapshot,
                 assignment.get("siblings"), next_module=next_module)
    _hard_exit(0)


if __name__ == "__main__":
    main()
