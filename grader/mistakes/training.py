"""One SGD training loop with a single thing changed: the shared shape of the classifiers' mistakes."""

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
