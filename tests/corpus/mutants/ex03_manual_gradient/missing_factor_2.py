# mistake: missing_factor_2
import torch
import torch.nn.functional as F
from torch import nn


def mse_gradients(x, y, W, b):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    error = x * W + b - y
    dW = (error * x).mean(dim=0)
    db = error.mean(dim=0)
    return dW, db
