# route: F.mse_loss inside torch._C._DisableTorchDispatch() (operator modes skipped)
# function: mse
# expect: mse_loss, tampered
import torch
import torch.nn.functional as F


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    with torch._C._DisableTorchDispatch():
        return F.mse_loss(prediction, target)
