"""Exercise 03 — the gradient of the cost, by hand.

Gradient descent needs to know in which direction the cost grows when W or b change:
the partial derivatives of

    cost(W, b) = (1/m) Σᵢ (xᵢ·W + b − yᵢ)²

With the chain rule, the derivative of (u)² is 2u·u', and u = xᵢ·W + b − yᵢ has
∂u/∂W = xᵢ and ∂u/∂b = 1. So

    dW = ∂cost/∂W = (2/m) Σᵢ (xᵢ·W + b − yᵢ) · xᵢ
    db = ∂cost/∂b = (2/m) Σᵢ (xᵢ·W + b − yᵢ)

Read it as "average error, weighted by the input for W". If the predictions are too
large (positive error), dW and db are positive and gradient descent will decrease W and b.

Example: x = [[1], [2], [3]], y = [[2], [4], [6]], W = b = 0: the errors are −2, −4, −6,
so dW = (2/3)(−2·1 − 4·2 − 6·3) = −18.6667 and db = (2/3)(−12) = −8.

Computing this by hand is exactly what autograd does for us later (exercise 05) —
here no autograd is allowed: no .backward(), no torch.autograd, and the results must
not require grad even if W and b do. Keep the shapes (1,) and the input dtype.
Typical mistakes: the wrong sign of the error, a missing factor 2, forgetting the x in dW.
"""

import torch
from torch import Tensor


def mse_gradients(x: Tensor, y: Tensor, W: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """Return (dW, db), the partial derivatives of mean((x·W + b − y)²) w.r.t. W and b.

    x and y have shape (n, 1), W and b shape (1,); dW and db have shape (1,) and the
    dtype of the inputs:
        dW = 2/m · Σ (x·W + b − y)·x,    db = 2/m · Σ (x·W + b − y)
    No autograd: no .backward(), no torch.autograd, and the returned tensors must not
    require grad even when W or b do. Do not modify the arguments.
    """
    # TODO(ex03): write mse_gradients() as its docstring describes.
    raise NotImplementedError("ex03: mse_gradients() is not implemented yet")
