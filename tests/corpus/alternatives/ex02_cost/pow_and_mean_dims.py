# Valid: pow, a mean over every dimension written out, F.l1_loss nowhere, no in-place ops.
import torch


def sum_squared_error(prediction, target):
    return torch.sum(torch.pow(prediction - target, 2))


def mse(prediction, target):
    return torch.pow(prediction - target, 2).mean(dim=(0, 1))
