# mistake: parameters_not_tracked
import torch


def init_parameters():
    W = torch.zeros(1)
    b = torch.zeros(1)
    return W, b


def hypothesis(x, W, b):
    return x * W + b
