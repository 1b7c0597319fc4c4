# route: torch.autograd.grad inside torch._C.DisableTorchFunction()
# function: mse_gradients
# expect: torch.autograd
# graded: yes
import torch


def mse_gradients(x, y, W, b):
    with torch._C.DisableTorchFunction():
        W = W.detach().clone().requires_grad_(True)
        b = b.detach().clone().requires_grad_(True)
        cost = ((x * W + b - y) ** 2).mean()
        dW, db = torch.autograd.grad(cost, (W, b))
    return dW.detach(), db.detach()
