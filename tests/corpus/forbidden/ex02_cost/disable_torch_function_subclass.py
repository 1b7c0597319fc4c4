# route: nn.MSELoss() inside torch._C.DisableTorchFunctionSubclass()
# function: mse
# expect: mse_loss
import torch
from torch import nn


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    with torch._C.DisableTorchFunctionSubclass():
        return nn.MSELoss()(prediction, target)
