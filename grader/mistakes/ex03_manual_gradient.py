"""Known mistakes of ex03_manual_gradient, as functions computing what the mistaken code returns."""

import torch


def _error(x, y, W, b):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    return x, x * W + b - y


def _gradients(x, y, W, b, *, sign=1.0, factor=2.0, with_x=True, mean=True):
    x, error = _error(x, y, W, b)
    scale = factor / x.shape[0] if mean else factor
    dW = sign * scale * ((error * x) if with_x else error).sum(dim=0)
    db = sign * scale * error.sum(dim=0)
    return dW, db


def _swapped(x, y, W, b):
    dW, db = _gradients(x, y, W, b)
    return db, dW


VARIANTS = {
    "mse_gradients": {
        "wrong_gradient_sign": lambda x, y, W, b: _gradients(x, y, W, b, sign=-1.0),
        "missing_factor_2": lambda x, y, W, b: _gradients(x, y, W, b, factor=1.0),
        "dw_without_x": lambda x, y, W, b: _gradients(x, y, W, b, with_x=False),
        "sum_instead_of_mean": lambda x, y, W, b: _gradients(x, y, W, b, mean=False),
        "swapped_gradients": _swapped,
    },
}
