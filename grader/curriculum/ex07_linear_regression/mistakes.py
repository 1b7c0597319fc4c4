"""Known mistakes of ex07_linear_regression, as functions computing what the mistaken code returns.

The loops whose step() never sees a gradient (zero_grad between backward and step, a detached
forward pass, zero_grad → forward → step → backward) all leave the parameters where they
started; the checks tell them apart with the loop spy of grader/probes/shared.py.
"""

import torch
from torch import nn


def _step(order, optimizer, forward):
    """One iteration in the given (mistaken) order; returns the cost recorded for it."""
    cost = None
    for action in order:
        if action == "zero":
            optimizer.zero_grad()
        elif action == "forward":
            cost = forward()
        elif action == "detached":
            cost = torch.tensor(forward().item(), requires_grad=True)
        elif action == "backward":
            cost.backward()
        elif action == "step":
            optimizer.step()
        elif action == "after":
            with torch.no_grad():
                cost = forward()
    return cost.item()


RIGHT = ("zero", "forward", "backward", "step")
ORDERS = {
    "missing_zero_grad": ("forward", "backward", "step"),
    "zero_grad_between_backward_and_step": ("forward", "backward", "zero", "step"),
    "step_before_backward": ("forward", "step", "zero", "backward"),
    "cost_recorded_after_update": RIGHT + ("after",),
    "detached_forward": ("zero", "detached", "backward", "step"),
}


def _train(order=RIGHT, extra=0):
    def train(x, y, lr=0.01, epochs=2000):
        W = torch.zeros(1, dtype=x.dtype, requires_grad=True)
        b = torch.zeros(1, dtype=x.dtype, requires_grad=True)
        optimizer = torch.optim.SGD([W, b], lr=lr)
        costs = [_step(order, optimizer, lambda: ((x * W + b - y) ** 2).mean()) for _ in range(epochs + extra)]
        return W.detach(), b.detach(), costs
    return train


def _train_model(order=RIGHT, extra=0):
    def train_model(x, y, lr=0.01, epochs=2000, seed=1):
        torch.manual_seed(seed)
        model = nn.Linear(x.shape[1], 1).to(x.dtype)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        for _ in range(epochs + extra):
            _step(order, optimizer, lambda: ((model(x) - y) ** 2).mean())
        return model
    return train_model


VARIANTS = {
    "train": {
        **{mistake: _train(order) for mistake, order in ORDERS.items()},
        "one_update_too_many": _train(extra=1),
    },
    "train_model": {
        **{mistake: _train_model(order) for mistake, order in ORDERS.items()
           if mistake != "cost_recorded_after_update"},
        "one_update_too_many": _train_model(extra=1),
    },
}
