# route: gives the recorder a subclass whose summary() reports nothing
# function: mse
# expect: tampered
import torch


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    recorder = torch._C._get_function_stack_at(torch._C._len_torch_function_stack() - 1)

    class Quiet(type(recorder)):
        def summary(self):
            return {"calls": []}

    recorder.__class__ = Quiet
    return ((target - prediction) ** 2).mean()
