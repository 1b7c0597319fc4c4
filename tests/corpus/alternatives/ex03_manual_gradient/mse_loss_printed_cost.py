# mistake: forbidden_call
import torch
import torch.nn.functional as F
from torch import nn


def mse_gradients(x, y, W, b):
    # the gradients are by hand, but the cost is printed with the library function
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    m = x.shape[0]
    error = x * W + b - y
    print("cost", torch.nn.functional.mse_loss(x * W + b, y).item())
    return 2 / m * (error * x).sum(dim=0), 2 / m * error.sum(dim=0)
