# exercise: ex02_cost
# category: 6 resources
# tries: write a 100 MB file into the temporary folder (zeros; named zz_kit_attack_* so the test can find it) and leave it there
# stopped_by: resource-limits (RLIMIT_FSIZE), private-tmp (the folder is the worker's own and is removed afterwards)
# max_score: 0
"""A stub that fills the disk."""
import json
import os
import tempfile

ATTACK = True
TOKEN = "__TOKEN__"
WANTED = 100 * 1024**2


def _fill():
    path = os.path.join(tempfile.gettempdir(), f"zz_kit_attack_{TOKEN}_big")
    written = 0
    chunk = bytes(1024**2)
    try:
        with open(path, "wb") as handle:
            while written < WANTED:
                handle.write(chunk)
                handle.flush()
                written += len(chunk)
    except OSError:
        pass
    return written


def sum_squared_error(prediction, target):
    written = _fill() if ATTACK else 0
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"b": [f"file:{written}"] if written >= WANTED else [],
                                                      "n": written}))


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
