# exercise: ex02_cost
# category: 5 attacking the trusted side
# tries: find the `grade run` process grading it (through getppid() and /proc) and SIGTERM it, SIGSTOP/SIGCONT its zygote, so no report (or a late one) is written
# stopped_by: landlock (signal scoping: no signal leaves the worker's domain; /proc is unreadable), pid-namespace (outside pids can't be named), unprivileged (another user id)
# max_score: 0
"""A stub that tries to kill the grader that is grading it."""
import json
import os
import signal

ATTACK = True
KIT = "__KIT__"
SELF = "__SELF__"


def _read(pid, what):
    try:
        with open(f"/proc/{pid}/{what}", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _targets():
    """(grader, zygotes): only processes of this very grading run (its folder is on their command line)."""
    grader, zygotes = None, []
    try:
        names = os.listdir("/proc")
    except OSError:
        names = []
    for pid in [os.getppid()] + [int(n) for n in names if n.isdigit()]:
        if pid == os.getpid():
            continue
        command = _read(pid, "cmdline")
        if "grader" in command and " run " in command and SELF in command:
            grader = pid
        elif "zygote" in command and (KIT in command or KIT in _read(pid, "environ")):
            zygotes.append(pid)
    return grader, zygotes


def _attack():
    done = []
    grader, zygotes = _targets()
    for pid in zygotes:
        try:
            os.kill(pid, signal.SIGSTOP)
            os.kill(pid, signal.SIGCONT)
            done.append("zygote")
        except OSError:
            pass
    if grader is not None:
        try:
            os.kill(grader, signal.SIGTERM)
            done.append("grader")
        except OSError:
            pass
    return done


def sum_squared_error(prediction, target):
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"b": _attack() if ATTACK else []}))


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
