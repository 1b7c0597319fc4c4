# mistake: detached_forward
import torch


def init_parameters():
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return W, b


def hypothesis(x, W, b):
    # .data looks harmless but hides W from autograd
    return x * W.data + b
