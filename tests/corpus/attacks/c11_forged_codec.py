# exercise: ex02_cost
# category: 11 worker-side observations
# tries: both functions change their `prediction` argument in place (a real mistake), and the module wraps the worker's encoder so the arguments are reported as they were before the call
# stopped_by: the encoder and reply path captured before the learner module loads (a swapped one is detected as tampering), or the arguments compared in the trusted process
# max_score: 11
"""Mutates its arguments, then forges the encoder that reports them back."""
import sys

import torch

ATTACK = True
MUTATED = []  # (argument, its value before the call); the arguments are kept alive so no id is reused


def _restore(value):
    for argument, before in MUTATED:
        if value is argument:
            return before
    if isinstance(value, list):
        return [_restore(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_restore(item) for item in value)
    if isinstance(value, dict):
        return {key: _restore(item) for key, item in value.items()}
    return value


def _wrap(original):
    def encode(value, *args, **kwargs):
        return original(_restore(value), *args, **kwargs)

    encode.__wrapped__ = original
    return encode


if ATTACK:
    for name, loaded in list(sys.modules.items()):
        if name.startswith("grader.sandbox") and loaded is not None:
            for attribute in ("encode", "dumps"):
                original = getattr(loaded, attribute, None)
                if callable(original):
                    setattr(loaded, attribute, _wrap(original))


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
