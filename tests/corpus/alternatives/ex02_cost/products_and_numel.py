# A different but valid way: products instead of powers, numel instead of mean, F.mse_loss nowhere.
import torch


def sum_squared_error(prediction, target):
    d = prediction - target
    return (d * d).sum()


def mse(prediction, target):
    d = prediction - target
    return (d * d).sum() / d.numel()
