"""Known mistakes of ex02_cost, as functions computing what the mistaken code returns."""

import torch


def _err(prediction, target):
    return target - prediction


VARIANTS = {
    "sum_squared_error": {
        "mean_instead_of_sum": lambda p, t: (_err(p, t) ** 2).mean(),
        "missing_square": lambda p, t: _err(p, t).sum(),
        "abs_instead_of_square": lambda p, t: _err(p, t).abs().sum(),
    },
    "mse": {
        "sum_instead_of_mean": lambda p, t: (_err(p, t) ** 2).sum(),
        "missing_square": lambda p, t: _err(p, t).mean(),
        "abs_instead_of_square": lambda p, t: _err(p, t).abs().mean(),
        "squared_mean_error": lambda p, t: _err(p, t).mean() ** 2,
        "rmse": lambda p, t: torch.sqrt((_err(p, t) ** 2).mean()),
    },
}
