# mistake: forbidden_call
import torch
import torch.nn.functional as F
from torch import nn


def sum_squared_error(prediction, target):
    return nn.MSELoss(reduction='sum')(prediction, target)


def mse(prediction, target):
    return nn.MSELoss()(prediction, target)
