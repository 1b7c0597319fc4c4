# mistake: mutated_argument
import torch
import torch.nn.functional as F
from torch import nn


def mse_gradients(x, y, W, b):
    m = x.shape[0]
    y -= x * W + b            # "saves memory": y now holds -(error)
    error = -y
    return 2 / m * (error * x).sum(dim=0), 2 / m * error.sum(dim=0)
