# mistake: forbidden_call
import torch
import torch.nn.functional as F
from torch import nn


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    return torch.nn.functional.mse_loss(target, prediction)
