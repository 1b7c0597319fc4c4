"""Exercise 02 — the cost: how wrong is the hypothesis?

To improve W and b we need one number that says how far the predictions H(x) are from
the targets y. For every sample the error is (y − H(x)). Positive and negative errors
must not cancel, so each one is squared; squaring also punishes large errors more.

    sum of squared errors   SSE = Σᵢ (yᵢ − H(xᵢ))²
    mean squared error      MSE = (1/m) Σᵢ (yᵢ − H(xᵢ))²        (m = number of samples)

The MSE is the usual cost of linear regression. Dividing by m makes the cost independent
of the data-set size, so the same learning rate works for 3 samples or 3000.

Example: x = [[1], [2], [3]], y = [[4], [5], [6]] and W = b = 0 give H(x) = 0 and
MSE = (16 + 25 + 36) / 3 = 25.6667.

Common mistakes: summing instead of averaging, forgetting the square (or using abs),
squaring the mean error ((mean error)² ≠ mean of squared errors), taking a square root
(that is the RMSE), and returning a Python float — a float is not part of the autograd
graph, so no gradient could be computed from it. Both costs are 0-dim tensors.

Here you write the formula yourself: torch.nn.functional.mse_loss and nn.MSELoss are
forbidden in this exercise.
"""

import torch
from torch import Tensor


def sum_squared_error(prediction: Tensor, target: Tensor) -> Tensor:
    """Return Σ (target − prediction)² as a 0-dim tensor.

    prediction and target have the same shape, e.g. (n, 1). Keep the input dtype and stay
    differentiable. Forbidden: mse_loss / MSELoss. Do not modify the arguments.
    """
    ### BEGIN SOLUTION
    return ((target - prediction) ** 2).sum()
    ### END SOLUTION


def mse(prediction: Tensor, target: Tensor) -> Tensor:
    """Return the mean squared error, mean of (target − prediction)², as a 0-dim tensor.

    prediction and target have the same shape, e.g. (n, 1). The result must be
    differentiable (gradients flow back to whatever produced `prediction`) and keep the
    input dtype. Forbidden: mse_loss / MSELoss. Do not modify the arguments.
    """
    ### BEGIN SOLUTION
    return ((target - prediction) ** 2).mean()
    ### END SOLUTION
