"""Known mistakes of ex04_gradient_descent, as functions computing what the mistaken code returns.

The fit variants are whole training runs with the mistake in the loop, so a learner's final
W, b and cost history can be compared with each mistaken trajectory.
"""

import torch

from grader.mistakes.training import manual_gradients as _gradients


def _step(x, y, W, b, lr, **mistake):
    dW, db = _gradients(x, y, W, b, **mistake)
    return W.detach() - lr * dW, b.detach() - lr * db


def _mse(x, y, W, b):
    return ((x * W + b - y) ** 2).mean().item()


def _fit(x, y, lr, epochs, *, updates=None, record_after=False, **mistake):
    x, y = x.detach(), y.detach()
    W = torch.zeros(1, dtype=x.dtype)
    b = torch.zeros(1, dtype=x.dtype)
    costs = []
    for _ in range(epochs if updates is None else updates(epochs)):
        if not record_after:
            costs.append(_mse(x, y, W, b))
        W, b = _step(x, y, W, b, lr, **mistake)
        if record_after:
            costs.append(_mse(x, y, W, b))
    return W, b, costs


VARIANTS = {
    "gradient_descent_step": {
        "wrong_gradient_sign": lambda x, y, W, b, lr: _step(x, y, W, b, lr, sign=-1.0),
        "missing_factor_2": lambda x, y, W, b, lr: _step(x, y, W, b, lr, factor=1.0),
        "dw_without_x": lambda x, y, W, b, lr: _step(x, y, W, b, lr, with_x=False),
        "sum_instead_of_mean": lambda x, y, W, b, lr: _step(x, y, W, b, lr, mean=False),
    },
    "fit": {
        "wrong_gradient_sign": lambda x, y, lr, epochs: _fit(x, y, lr, epochs, sign=-1.0),
        "missing_factor_2": lambda x, y, lr, epochs: _fit(x, y, lr, epochs, factor=1.0),
        "one_update_too_many": lambda x, y, lr, epochs: _fit(x, y, lr, epochs, updates=lambda n: n + 1),
        "one_update_too_few": lambda x, y, lr, epochs: _fit(x, y, lr, epochs, updates=lambda n: max(n - 1, 0)),
        "cost_recorded_after_update": lambda x, y, lr, epochs: _fit(x, y, lr, epochs, record_after=True),
        "dw_without_x": lambda x, y, lr, epochs: _fit(x, y, lr, epochs, with_x=False),
        "sum_instead_of_mean": lambda x, y, lr, epochs: _fit(x, y, lr, epochs, mean=False),
    },
}
