# mistake: none
import torch
import torch.nn.functional as F
from torch import nn


def mse_gradients(x, y, W, b):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    error = x * W + b - y
    return 2 * (error * x).mean(), 2 * error.mean()
