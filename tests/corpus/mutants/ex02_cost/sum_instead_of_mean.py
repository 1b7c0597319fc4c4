# mistake: sum_instead_of_mean
import torch


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    return ((target - prediction) ** 2).sum()
