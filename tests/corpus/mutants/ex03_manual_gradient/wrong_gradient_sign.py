# mistake: wrong_gradient_sign
import torch
import torch.nn.functional as F
from torch import nn


def mse_gradients(x, y, W, b):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    m = x.shape[0]
    error = y - (x * W + b)          # target minus prediction: the sign flips
    dW = 2 / m * (error * x).sum(dim=0)
    db = 2 / m * error.sum(dim=0)
    return dW, db
