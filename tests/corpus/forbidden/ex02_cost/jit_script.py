# route: a torch.jit.script-ed function that calls F.mse_loss
# function: mse
# expect: mse_loss
# graded: yes
import torch
import torch.nn.functional as F


@torch.jit.script
def _cost(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(prediction, target)


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    return _cost(prediction, target)
