# mistake: forbidden_call
import torch
import torch.nn.functional as F
from torch import nn


def sum_squared_error(prediction, target):
    return F.mse_loss(prediction, target, reduction='sum')


def mse(prediction, target):
    return F.mse_loss(prediction, target)
