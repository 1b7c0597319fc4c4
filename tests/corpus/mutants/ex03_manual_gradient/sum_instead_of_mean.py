# mistake: sum_instead_of_mean
import torch
import torch.nn.functional as F
from torch import nn


def mse_gradients(x, y, W, b):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    error = x * W + b - y
    return 2 * (error * x).sum(dim=0), 2 * error.sum(dim=0)
