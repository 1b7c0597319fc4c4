# exercise: ex02_cost
# category: 1 reading answers
# tries: import the reference module solutions.ex02_cost (the kit root on sys.path), else read its source with open() and exec it
# stopped_by: landlock (solutions/ is in no readable root; the zygote never imports it)
# max_score: 0
"""A stub that answers with the kit's own reference whenever it can reach it."""
import sys
import types

ATTACK = True
KIT = "__KIT__"


def _reference():
    if not ATTACK:
        return None
    try:
        sys.path.insert(0, KIT)
        import solutions.ex02_cost as reference  # noqa: PLC0415

        return reference
    except BaseException:  # noqa: BLE001
        pass
    try:
        namespace = {"__name__": "borrowed"}
        with open(KIT + "/solutions/ex02_cost.py", encoding="utf-8") as handle:
            exec(compile(handle.read(), "borrowed", "exec"), namespace)
        return types.SimpleNamespace(**namespace)
    except BaseException:  # noqa: BLE001
        return None


REFERENCE = _reference()


def sum_squared_error(prediction, target):
    if REFERENCE is None:
        raise NotImplementedError("ex02: sum_squared_error() is not implemented yet")
    return REFERENCE.sum_squared_error(prediction, target)


def mse(prediction, target):
    if REFERENCE is None:
        raise NotImplementedError("ex02: mse() is not implemented yet")
    return REFERENCE.mse(prediction, target)
