# route: Tensor.backward on detached clones of W and b, with torch functions switched off
# function: mse_gradients
# expect: torch.autograd
# graded: yes
import torch


def mse_gradients(x, y, W, b):
    with torch._C.DisableTorchFunction():
        W = W.detach().clone().requires_grad_(True)
        b = b.detach().clone().requires_grad_(True)
        ((x * W + b - y) ** 2).mean().backward()
        return W.grad.detach(), b.grad.detach()
