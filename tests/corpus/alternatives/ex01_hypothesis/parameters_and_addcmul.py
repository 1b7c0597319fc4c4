# Valid: nn.Parameter tensors are leaves that require grad; torch.addcmul computes b + x·W.
import torch
from torch import nn


def init_parameters():
    return nn.Parameter(torch.zeros(1)), nn.Parameter(torch.zeros(1))


def hypothesis(x, W, b):
    return torch.addcmul(b.expand_as(x), x, W)
