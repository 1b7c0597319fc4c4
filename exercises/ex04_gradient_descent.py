"""Exercise 04 — gradient descent, by hand.

The gradient (dW, db) points in the direction in which the cost grows fastest. To make
the cost smaller we take a small step the other way:

    W ← W − lr · dW
    b ← b − lr · db

with dW = (2/m) Σ (x·W + b − y)·x and db = (2/m) Σ (x·W + b − y) (exercise 03).
The learning rate lr sets the step size: too small and training crawls, too large and
W and b overshoot the minimum and the cost blows up.

Repeating the step is training. In this kit "epochs" is always the *number of updates*
(convention C7): fit(..., epochs=2000) performs exactly 2000 steps. The classic examples
loop `for epoch in range(nb_epochs + 1)`, which performs one update too many — don't
copy that. The cost history records, for every update, the cost computed *before* that
update (convention C8), so costs[0] is the cost of the starting point W = b = 0 and
len(costs) == epochs.

Everything here is plain tensor arithmetic: no autograd and no torch.optim. New tensors
are returned; the arguments are never changed in place (no `W -= ...` on an argument).
"""

import torch
from torch import Tensor


def gradient_descent_step(
    x: Tensor, y: Tensor, W: Tensor, b: Tensor, lr: float
) -> tuple[Tensor, Tensor]:
    """Return the new (W, b) after one gradient-descent step on the MSE.

    x and y have shape (n, 1), W and b shape (1,). Compute the manual gradients
    dW = 2/m · Σ (x·W + b − y)·x and db = 2/m · Σ (x·W + b − y), then return
    W − lr·dW and b − lr·db (shape (1,), input dtype, not requiring grad).
    No autograd, no torch.optim. Do not modify the arguments: return new tensors.
    """
    # TODO(ex04): write gradient_descent_step() as its docstring describes.
    raise NotImplementedError("ex04: gradient_descent_step() is not implemented yet")


def fit(x: Tensor, y: Tensor, lr: float, epochs: int) -> tuple[Tensor, Tensor, list[float]]:
    """Train H(x) = x·W + b by gradient descent and return (W, b, costs).

    Start from W = b = 0 (shape (1,), dtype of x) and perform exactly `epochs` updates
    (C7: not epochs + 1). Before each update record the MSE of the current W, b as a
    Python float (C8), so len(costs) == epochs. W and b are returned as tensors of
    shape (1,) in the dtype of x. No autograd, no torch.optim. Do not modify x or y.
    """
    # TODO(ex04): write fit() as its docstring describes.
    raise NotImplementedError("ex04: fit() is not implemented yet")
