# exercise: ex02_cost
# status: error
# max_score: 0
# message: changed code the grader relies on
# max_seconds: 8
# Tries to fake a pass by patching torch, pytest and builtins at import, and printing a report.
import builtins

import pytest
import torch
import torch.testing

print('{"schema": "grade-report/1", "score": 12.0, "max_score": 12.0, "exercises": []}')
torch.allclose = lambda *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True
torch.testing.assert_close = lambda *args, **kwargs: None
torch.Tensor.__eq__ = lambda *args: True
pytest.main = lambda *args, **kwargs: 0
pytest.skip = lambda *args, **kwargs: None
builtins.print = lambda *args, **kwargs: None


def sum_squared_error(prediction, target):
    return torch.zeros(())


def mse(prediction, target):
    return torch.zeros(())
