# route: F.mse_loss inside torch._C.DisableTorchFunction()
# function: mse
# expect: mse_loss
# graded: yes
import torch
import torch.nn.functional as F


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    with torch._C.DisableTorchFunction():
        return F.mse_loss(prediction, target)
