# Valid: the gradients are by hand (no autograd); mse_loss only prints the cost, which the contract allows here.
import torch
import torch.nn.functional as F
from torch import nn


def mse_gradients(x, y, W, b):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    m = x.shape[0]
    error = x * W + b - y
    print("cost", torch.nn.functional.mse_loss(x * W + b, y).item())
    return 2 / m * (error * x).sum(dim=0), 2 / m * error.sum(dim=0)
