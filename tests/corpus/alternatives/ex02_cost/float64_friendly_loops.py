# Valid: explicit subtraction, torch.square and a division by the number of rows.
import torch


def sum_squared_error(prediction, target):
    errors = torch.sub(target, prediction)
    return torch.square(errors).sum()


def mse(prediction, target):
    return sum_squared_error(prediction, target) / prediction.shape[0]
