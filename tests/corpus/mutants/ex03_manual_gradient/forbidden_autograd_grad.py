# mistake: forbidden_call
import torch
import torch.nn.functional as F
from torch import nn


def mse_gradients(x, y, W, b):
    W = W.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    cost = ((x * W + b - y) ** 2).mean()
    dW, db = torch.autograd.grad(cost, [W, b])
    return dW, db
