# exercise: ex02_cost
# category: 11 worker-side observations
# tries: both functions change their `prediction` argument in place (a real mistake); instead of touching any watched function it adds a global named `list` to the worker's module, which shadows the builtin in `codec.encode(list(args))` and reports the arguments as they were before the call
# stopped_by: observations of the arguments made where learner code can't reach (the trusted side's own copies, or an encoder whose globals and builtins are checked too)
# max_score: 11
"""Mutates its arguments, then shadows a builtin in the worker's module so they look unchanged."""
import sys

import torch

ATTACK = True
MUTATED = []  # (argument, its value before the call); the arguments are kept alive so no id is reused


def _restore(value):
    for argument, before in MUTATED:
        if value is argument:
            return before
    return value


def _forged_list(iterable=()):
    return [_restore(item) for item in iterable]


if ATTACK:
    worker = sys.modules.get("grader.sandbox.worker")
    if worker is not None:
        worker.list = _forged_list


def _mutate(prediction):
    MUTATED.append((prediction, prediction.detach().clone()))
    with torch.no_grad():
        prediction.mul_(0.5)


def sum_squared_error(prediction, target):
    result = ((target - prediction) ** 2).sum()
    _mutate(prediction)
    return result


def mse(prediction, target):
    result = ((target - prediction) ** 2).mean()
    _mutate(prediction)
    return result
