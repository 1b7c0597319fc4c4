# exercise: ex02_cost
# category: 5 attacking the trusted side
# also_as: pickle.py
# cwd: submission
# tries: ship a pickle.py beside the exercise; when the instructor runs `grade` from the student's folder, a zygote started with `-m` has the current folder first on sys.path and imports it before any confinement (here it only creates an empty marker file in the class folder, then loads the real pickle)
# stopped_by: the zygote starts isolated (-I: no current folder, no user site, no PYTHON* variables) from /
# max_score: 0
"""An exercise stub that doubles as a pickle.py shadowing the standard library."""
import os
import sys

ATTACK = True
TOKEN = "__TOKEN__"
CLASS = "__CLASS__"

if __name__ == "pickle":
    if ATTACK:
        try:
            with open(os.path.join(CLASS, f"zz_kit_attack_{TOKEN}_pickle"), "w", encoding="utf-8") as handle:
                handle.write(f"# imported from {os.getcwd()} by pid {os.getpid()}: {sys.argv}\n")
        except OSError:
            pass
    _here = os.path.dirname(os.path.abspath(__file__))
    _path = sys.path[:]
    sys.path[:] = [p for p in sys.path if p not in ("", ".") and os.path.abspath(p) != _here]
    del sys.modules["pickle"]
    import pickle as _real  # noqa: E402 - the standard library's own

    sys.path[:] = _path
    sys.modules["pickle"] = _real
    globals().update({k: v for k, v in vars(_real).items() if not k.startswith("__")})


def sum_squared_error(prediction, target):
    raise NotImplementedError("ex02: sum_squared_error() is not implemented yet")


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
