# exercise: ex02_cost
# category: 6 resources
# tries: hold 4,000 open file descriptors (pipes)
# stopped_by: resource-limits (RLIMIT_NOFILE)
# max_score: 0
"""A stub that exhausts file descriptors."""
import json
import os

ATTACK = True
WANTED = 4000


def _open_many():
    fds = []
    try:
        while len(fds) < WANTED:
            fds.extend(os.pipe())
    except OSError:
        pass
    count = len(fds)
    for fd in fds:
        os.close(fd)
    return count


def sum_squared_error(prediction, target):
    count = _open_many() if ATTACK else 0
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"b": [f"fds:{count}"] if count >= WANTED else [], "n": count}))


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
