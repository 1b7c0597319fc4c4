# Valid: Tensor methods instead of operators, and the bias added first.
import torch


def init_parameters():
    params = []
    for _ in range(2):
        params.append(torch.zeros(1, dtype=torch.float32, requires_grad=True))
    return tuple(params)


def hypothesis(x, W, b):
    return b.add(x.mul(W))
