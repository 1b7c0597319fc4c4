# exercise: ex02_cost
# category: 2 persistent tampering
# tries: rewrite the reference solutions/ex02_cost.py (imported lazily by the live oracle, after the worker ran) so that zeros become the expected answer, for itself and for everyone after it
# stopped_by: landlock (solutions/ is neither readable nor writable)
# max_score: 5
"""Answers zeros, and makes the reference answer zeros too."""
import glob
import os

import torch

ATTACK = True
KIT = "__KIT__"

FORGED = '''import torch


def sum_squared_error(prediction, target):
    return torch.zeros((), dtype=prediction.dtype)


def mse(prediction, target):
    return torch.zeros((), dtype=prediction.dtype)
'''

if ATTACK:
    try:
        with open(KIT + "/solutions/ex02_cost.py", "w", encoding="utf-8") as handle:
            handle.write(FORGED)
        for stale in glob.glob(KIT + "/solutions/__pycache__/ex02_cost.*"):
            os.remove(stale)
    except OSError:
        pass


def sum_squared_error(prediction, target):
    return torch.zeros((), dtype=prediction.dtype)


def mse(prediction, target):
    return torch.zeros((), dtype=prediction.dtype)
