# mistake: result_requires_grad
import torch
import torch.nn.functional as F
from torch import nn


def mse_gradients(x, y, W, b):
    m = x.shape[0]
    error = x * W + b - y     # tracked by autograd when W and b require grad
    return 2 / m * (error * x).sum(dim=0), 2 / m * error.sum(dim=0)
