# exercise: ex02_cost
# category: 6 resources
# tries: fork 150 sleeping processes (each lives 15 s unless killed), more than a worker may start
# stopped_by: resource-limits (RLIMIT_NPROC for the worker's own user id), cgroup (pids.max); pid-namespace (none outlives the worker)
# max_score: 0
"""A stub that starts far more processes than an exercise needs."""
import json
import os
import time

ATTACK = True
TOKEN = "__TOKEN__"
WANTED = 150
LIFETIME = 15.0


def _fork_many():
    import ctypes  # noqa: PLC0415
    import posix  # noqa: PLC0415 - os._exit is replaced in the worker

    started, count = time.time(), 0
    while count < WANTED and time.time() - started < 2.0:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                ctypes.CDLL(None).prctl(15, ("zk" + TOKEN[:8]).encode(), 0, 0, 0)
                while time.time() - started < LIFETIME:
                    time.sleep(0.5)
            finally:
                posix._exit(0)
        count += 1
    return count


def sum_squared_error(prediction, target):
    count = _fork_many() if ATTACK else 0
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"b": [f"processes:{count}"] if count >= WANTED else [],
                                                      "n": count}))


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
