# route: swaps the code object of the recorder's __torch_function__ and of its summary()
# function: mse
# expect: tampered
import torch


def _quiet(self, func, types, args=(), kwargs=None):
    return func(*args, **(kwargs or {}))


def _clean(self):
    return {"calls": []}


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    recorder = torch._C._get_function_stack_at(torch._C._len_torch_function_stack() - 1)
    type(recorder).__torch_function__.__code__ = _quiet.__code__
    type(recorder).summary.__code__ = _clean.__code__
    return ((target - prediction) ** 2).mean()
