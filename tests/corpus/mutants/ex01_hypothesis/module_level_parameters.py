# mistake: none
import torch

_W = torch.zeros(1, requires_grad=True)
_B = torch.zeros(1, requires_grad=True)


def init_parameters():
    return _W, _B


def hypothesis(x, W, b):
    return x * W + b
