# mistake: shared_parameters
import torch


def init_parameters():
    W = b = torch.zeros(1, requires_grad=True)
    return W, b


def hypothesis(x, W, b):
    return x * W + b
