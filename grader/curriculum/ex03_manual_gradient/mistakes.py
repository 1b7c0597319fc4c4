"""Known mistakes of ex03_manual_gradient, as functions computing what the mistaken code returns."""

from grader.mistakes.training import manual_gradients as _gradients


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
