# mistake: dw_without_x
import torch
import torch.nn.functional as F
from torch import nn


def mse_gradients(x, y, W, b):
    with torch.no_grad():
        error = x * W + b - y
        dW = 2 * error.mean().reshape(1)
        db = 2 * error.mean().reshape(1)
    return dW, db
