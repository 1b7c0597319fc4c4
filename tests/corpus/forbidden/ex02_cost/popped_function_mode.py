# route: pops the torch-function mode stack, calls F.mse_loss, pushes the modes back
# function: mse
# expect: mse_loss, tampered
import torch
import torch.nn.functional as F


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    modes = [torch._C._pop_torch_function_stack() for _ in range(torch._C._len_torch_function_stack())]
    try:
        return F.mse_loss(prediction, target)
    finally:
        for mode in reversed(modes):
            torch._C._push_on_torch_function_stack(mode)
