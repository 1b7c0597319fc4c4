# route: torch.ops.aten.mse_loss.default(...), an operator overload called directly
# function: mse
# expect: mse_loss
# graded: yes
import torch


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    return torch.ops.aten.mse_loss.default(prediction, target)
