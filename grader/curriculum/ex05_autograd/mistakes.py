"""Known mistakes of ex05_autograd, as functions computing what the mistaken code returns."""

import torch


def _gradients(cost):
    def autograd_gradients(x, y, W, b):
        W = W.detach().clone().requires_grad_(True)
        b = b.detach().clone().requires_grad_(True)
        cost(x.detach() * W + b - y.detach()).backward()
        return W.grad.detach(), b.grad.detach()
    return autograd_gradients


def _swapped(x, y, W, b):
    dW, db = _gradients(lambda e: (e ** 2).mean())(x, y, W, b)
    return db, dW


def _fit(*, clear=True, extra=0, record_after=False, check_tol="before", backward_calls=1):
    """fit_autograd with one thing done wrong."""
    def fit_autograd(x, y, W0, b0, lr, epochs, tol=5e-5):
        x, y = x.detach(), y.detach()
        W = W0.detach().clone().requires_grad_(True)
        b = b0.detach().clone().requires_grad_(True)
        losses, ws, bs = [], [], []
        for _ in range(epochs + extra):
            loss = ((x * W + b - y) ** 2).mean()
            if check_tol == "before" and loss.item() < tol:
                break
            for _ in range(backward_calls - 1):
                loss.backward(retain_graph=True)  # the graph kept for a second backward(): gradients add up
            loss.backward()
            with torch.no_grad():
                W -= lr * W.grad
                b -= lr * b.grad
            if clear:
                W.grad.zero_()
                b.grad.zero_()
            if record_after:
                with torch.no_grad():
                    loss = ((x * W + b - y) ** 2).mean()
            losses.append(loss.item())
            ws.append(W.item())
            bs.append(b.item())
            if check_tol == "after" and loss.item() < tol:
                break
        return {"W": W.detach(), "b": b.detach(), "losses": losses, "ws": ws, "bs": bs}
    return fit_autograd


VARIANTS = {
    "autograd_gradients": {
        "sum_instead_of_mean": _gradients(lambda e: (e ** 2).sum()),
        "missing_square": _gradients(lambda e: e.mean()),
        "swapped_gradients": _swapped,
        "backward_twice_retained": _gradients(lambda e: 2 * (e ** 2).mean()),  # backward() twice: twice the gradient
    },
    "fit_autograd": {
        "missing_zero_grad": _fit(clear=False),
        "one_update_too_many": _fit(extra=1),
        "cost_recorded_after_update": _fit(record_after=True),
        "tolerance_ignored": _fit(check_tol=None),
        "tolerance_checked_late": _fit(check_tol="after"),
        "backward_twice_retained": _fit(backward_calls=2),
    },
}
