# mistake: detached_forward
import torch
import torch.nn.functional as F
from torch import nn


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    return ((target - prediction) ** 2).mean().detach()
