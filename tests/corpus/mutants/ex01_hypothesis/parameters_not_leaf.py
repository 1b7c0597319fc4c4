# mistake: parameters_not_tracked
import torch


def init_parameters():
    W = torch.zeros(1, dtype=torch.float64, requires_grad=True).float()
    b = torch.zeros(1, requires_grad=True) * 1.0
    return W, b


def hypothesis(x, W, b):
    return x * W + b
