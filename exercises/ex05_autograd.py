"""Exercise 05 — letting autograd compute the gradient.

Deriving dW and db by hand works for H(x) = x·W + b, but not for a network with millions
of parameters. PyTorch's autograd records every operation done on tensors that have
requires_grad=True; calling .backward() on a 0-dim result (the cost) walks that graph
backwards with the chain rule and stores ∂cost/∂W in W.grad and ∂cost/∂b in b.grad —
the same numbers as the hand formulas

    dW = (2/m) Σ (x·W + b − y)·x,      db = (2/m) Σ (x·W + b − y).

Three things to get right when training this way:

1. The update itself must not be recorded. `W -= lr * W.grad` on a tensor that requires
   grad is done inside `with torch.no_grad():`, otherwise the update would become part of
   the graph (and PyTorch refuses in-place changes of a leaf that requires grad).
2. backward() *adds* to .grad, it does not overwrite it. After each update the gradients
   must be cleared (W.grad.zero_() or W.grad = None), or the next step would use the sum
   of all gradients so far.
3. A function must not disturb its caller's tensors. Work on copies —
   W0.detach().clone().requires_grad_(True) — so the caller's W0 keeps its values,
   its requires_grad flag and its .grad.

fit_autograd also shows early stopping: when the cost is already below a tolerance,
training stops before doing a useless update. As everywhere in the kit, epochs is the
maximum number of updates (C7) and every recorded loss is the one computed before its
update (C8). No torch.optim here: the update is written by hand.
"""

import torch
from torch import Tensor


def autograd_gradients(x: Tensor, y: Tensor, W: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """Return (dW, db) of mean((x·W + b − y)²), computed with autograd (backward on the MSE).

    Same values, shapes (1,) and dtype as the manual gradients of exercise 03. The caller's
    W and b (which may or may not require grad) are left untouched: their values, their
    .grad and their requires_grad are the same after the call. Work on copies. The returned
    tensors do not require grad. Do not modify the arguments.
    """
    # TODO(ex05): write autograd_gradients() as its docstring describes.
    raise NotImplementedError("ex05: autograd_gradients() is not implemented yet")


def fit_autograd(
    x: Tensor,
    y: Tensor,
    W0: Tensor,
    b0: Tensor,
    lr: float,
    epochs: int,
    tol: float = 5e-5,
) -> dict:
    """Train H(x) = x·W + b with autograd gradients and a hand-written update.

    Start from copies of W0 and b0 (which are left untouched). Run at most `epochs`
    iterations; in each one:
      1. compute the MSE of the current W, b;
      2. if it is below `tol`, stop (no update, nothing recorded);
      3. otherwise backward(), then W -= lr·W.grad and b -= lr·b.grad inside
         torch.no_grad(), then clear the gradients;
      4. append the loss from step 1 (C8) and W, b after the update, as floats (.item()).
    Return {"W": W, "b": b, "losses": [...], "ws": [...], "bs": [...]}, with W and b
    tensors of shape (1,) that do not require grad. No torch.optim.
    """
    # TODO(ex05): write fit_autograd() as its docstring describes.
    raise NotImplementedError("ex05: fit_autograd() is not implemented yet")
