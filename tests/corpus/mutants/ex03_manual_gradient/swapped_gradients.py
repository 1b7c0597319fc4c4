# mistake: swapped_gradients
import torch
import torch.nn.functional as F
from torch import nn


def mse_gradients(x, y, W, b):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    m = len(x)
    error = x * W + b - y
    db = 2 / m * (error * x).sum(dim=0)
    dW = 2 / m * error.sum(dim=0)
    return dW, db
