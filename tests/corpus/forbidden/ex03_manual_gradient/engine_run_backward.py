# route: the autograd engine called directly (Variable._execution_engine.run_backward)
# function: mse_gradients
# expect: torch.autograd
# graded: yes
import torch

_engine = torch.autograd.Variable._execution_engine


def mse_gradients(x, y, W, b):
    W = W.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    cost = ((x * W + b - y) ** 2).mean()
    dW, db = _engine.run_backward((cost,), (torch.ones_like(cost),), False, False, (W, b), False, False)
    return dW.detach(), db.detach()
