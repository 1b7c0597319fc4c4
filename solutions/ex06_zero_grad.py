"""Exercise 06 — why zero_grad() is needed.

backward() does not *replace* the gradient stored in .grad, it *adds* to it:

    .grad ← .grad + ∂cost/∂param

This is deliberate (it lets a gradient be summed over several backward passes, e.g.
several losses or mini-batches), but in an ordinary training loop it is a trap. Take
z = 3·w + 1, so dz/dw = 3. Calling z.backward() three times without clearing gives
w.grad = 3, then 6, then 9 — not 3 each time. A training loop that forgets to clear the
gradients would step with the sum of every gradient seen so far and soon diverge.

With an optimizer, one correct step is always, in this order:

    optimizer.zero_grad()   # forget the gradients of the previous step
    cost = ...              # forward pass and cost
    cost.backward()         # fill .grad with this step's gradients
    optimizer.step()        # param ← param − lr·param.grad

zero_grad() between backward() and step() would throw the fresh gradients away, and
step() before backward() would update with the old ones. zero_grad() at the start of
each step also makes the step correct even when .grad holds stale values on entry.
"""

import torch
from torch import Tensor


def accumulated_gradients(w0: float, steps: int) -> list[float]:
    """Show how gradients accumulate when they are never cleared.

    Create w = torch.tensor(w0, requires_grad=True) and repeat `steps` times:
    z = 3·w + 1, z.backward(), record w.grad.item() — without clearing w.grad.
    Return the recorded values, e.g. accumulated_gradients(2.0, 3) == [3.0, 6.0, 9.0].
    """
    ### BEGIN SOLUTION
    w = torch.tensor(w0, requires_grad=True)
    grads = []
    for _ in range(steps):
        z = 3 * w + 1
        z.backward()
        grads.append(w.grad.item())
    return grads
    ### END SOLUTION


def train_step(
    W: Tensor, b: Tensor, optimizer: torch.optim.Optimizer, x: Tensor, y: Tensor
) -> float:
    """Perform one correct optimisation step of H(x) = x·W + b with the MSE cost.

    `optimizer` was built over [W, b] (leaf tensors with requires_grad=True). In order:
    clear old gradients, forward pass, cost, backward, optimizer.step(). The step must be
    right even when W.grad / b.grad hold stale values on entry. W and b are updated in
    place by the optimizer; x and y are not modified. Return the cost computed before
    the update, as a Python float.
    """
    ### BEGIN SOLUTION
    optimizer.zero_grad()
    prediction = x * W + b
    cost = ((prediction - y) ** 2).mean()
    cost.backward()
    optimizer.step()
    return cost.item()
    ### END SOLUTION
