"""Exercise 01 — the hypothesis of linear regression.

Linear regression guesses that the target y grows linearly with the input x:

    H(x) = x·W + b

W (the weight) is the slope and b (the bias) is the intercept. With a single feature,
x and y are column tensors of shape (n, 1), one row per sample, and W and b have shape
(1,). Broadcasting applies the same W and b to every row, so H(x) has the shape of x:

    x = [[1], [2], [3]],  W = [2],  b = [1]   →   H(x) = [[3], [5], [7]]

Training means searching for the W and b that make H(x) close to y. We start from
W = b = 0 and let gradient descent improve them, so PyTorch must know that it has to
compute gradients with respect to W and b: we create them with requires_grad=True.
Tensors created directly by us (not as the result of an operation) are *leaf* tensors;
after backward() their gradients are stored in W.grad and b.grad.

The hypothesis must be an ordinary tensor expression (x * W + b): every operation is
recorded in the autograd graph, so a cost computed from H(x) can send gradients back to
W and b. Converting to Python numbers or calling .detach() would cut that path.
"""

import torch
from torch import Tensor


def init_parameters() -> tuple[Tensor, Tensor]:
    """Create the parameters (W, b) of H(x) = x·W + b.

    Return two float32 tensors of zeros with shape (1,), both with requires_grad=True and
    both leaf tensors (create them with requires_grad directly, do not obtain them from
    another operation such as `.to()` or arithmetic).
    """
    ### BEGIN SOLUTION
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return W, b
    ### END SOLUTION


def hypothesis(x: Tensor, W: Tensor, b: Tensor) -> Tensor:
    """Return H(x) = x·W + b.

    x has shape (n, 1), W and b shape (1,); the result has the same shape (and dtype) as x.
    Gradients must flow back to W and b when they require grad, so keep it a tensor
    expression (no .item(), no .detach()). Do not modify the arguments.
    """
    ### BEGIN SOLUTION
    return x * W + b
    ### END SOLUTION
