"""Shared shapes of mistaken code: the MSE gradients by hand with one thing wrong (ex03, ex04), and one SGD
training loop with a single thing changed (the classifiers')."""

from __future__ import annotations

from typing import Callable

import torch


def mistaken_loop(loss_class: type, lr: float, *, zero_grad: bool = True, step_first: bool = False,
                  reduction: str = "mean", after: bool = False, extra: int = 0,
                  output: Callable[[torch.Tensor], torch.Tensor] | None = None) -> Callable:
    """`train(model, x, y, lr, epochs)` as a learner who made one mistake would write it.

    zero_grad=False: gradients accumulate; step_first: step() before backward() (nothing moves);
    extra=±1: one update too many/few; after: the cost recorded after the update;
    reduction="sum": summed loss; output: something applied to the model's output first.
    """

    def train(model, x, y, lr=lr, epochs=1000):
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        loss_fn = loss_class(reduction=reduction)

        def cost_of():
            out = model(x)
            return loss_fn(output(out) if output else out, y)

        losses = []
        for _ in range(epochs + extra):
            if zero_grad:
                optimizer.zero_grad()
            cost = cost_of()
            if step_first:
                optimizer.step()
                cost.backward()
            else:
                cost.backward()
                optimizer.step()
            if after:
                with torch.no_grad():
                    cost = cost_of()
            losses.append(cost.item())
        return losses

    return train


def _error(x, y, W, b):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    return x, x * W + b - y


def manual_gradients(x, y, W, b, *, sign=1.0, factor=2.0, with_x=True, mean=True):
    """(dW, db) of the MSE by hand, with the sign, the factor 2, the x in dW or the mean changed."""
    x, error = _error(x, y, W, b)
    scale = factor / x.shape[0] if mean else factor
    dW = sign * scale * ((error * x) if with_x else error).sum(dim=0)
    db = sign * scale * error.sum(dim=0)
    return dW, db
