# route: replaces __torch_function__ of the mode found with torch.overrides._get_current_function_mode_stack()
# function: mse
# expect: tampered
import torch
import torch.nn.functional as F


def _quiet(self, func, types, args=(), kwargs=None):
    return func(*args, **(kwargs or {}))


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    for mode in torch.overrides._get_current_function_mode_stack():
        type(mode).__torch_function__ = _quiet
    return ((target - prediction) ** 2).mean()
