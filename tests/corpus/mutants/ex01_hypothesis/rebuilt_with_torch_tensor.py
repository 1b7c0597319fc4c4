# mistake: detached_forward
import torch


def init_parameters():
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return W, b


def hypothesis(x, W, b):
    rows = [[xi[0].item() * W.item() + b.item()] for xi in x]
    return torch.tensor(rows, dtype=x.dtype)
