"""Known mistakes of ex06_zero_grad, as functions computing what the mistaken code returns.

train_step mistakes whose step() sees no gradient at all (zero_grad between backward and step,
or zero_grad → forward → step → backward) leave W and b where they were; the checks tell them
apart with the loop spy of grader/probes/shared.py. The step_before_backward variant
here is the other common form: step() first, with last call's gradients.
"""

import torch


def _cost(W, b, x, y):
    return ((x * W + b - y) ** 2).mean()


def _missing_zero_grad(W, b, optimizer, x, y):
    cost = _cost(W, b, x, y)
    cost.backward()
    optimizer.step()
    return cost.item()


def _zero_grad_between(W, b, optimizer, x, y):
    cost = _cost(W, b, x, y)
    cost.backward()
    optimizer.zero_grad()
    optimizer.step()
    return cost.item()


def _step_before_backward(W, b, optimizer, x, y):
    cost = _cost(W, b, x, y)
    optimizer.step()
    optimizer.zero_grad()
    cost.backward()
    return cost.item()


def _backward_twice_retained(W, b, optimizer, x, y):
    optimizer.zero_grad()
    cost = _cost(W, b, x, y)
    cost.backward(retain_graph=True)
    cost.backward()  # adds the same gradients a second time: the step is twice as long
    optimizer.step()
    return cost.item()


def _cost_after_update(W, b, optimizer, x, y):
    optimizer.zero_grad()
    _cost(W, b, x, y).backward()
    optimizer.step()
    with torch.no_grad():
        return _cost(W, b, x, y).item()


VARIANTS = {
    "accumulated_gradients": {
        "cleared_gradients": lambda w0, steps: [3.0] * steps,
        "backward_twice_retained": lambda w0, steps: [6.0 * (i + 1) for i in range(steps)],
    },
    "train_step": {
        "missing_zero_grad": _missing_zero_grad,
        "zero_grad_between_backward_and_step": _zero_grad_between,
        "step_before_backward": _step_before_backward,
        "cost_recorded_after_update": _cost_after_update,
        "backward_twice_retained": _backward_twice_retained,
    },
}
