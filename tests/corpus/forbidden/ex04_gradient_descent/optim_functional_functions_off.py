# route: torch.optim's functional sgd() (no Optimizer object) inside torch._C.DisableTorchFunction()
# function: gradient_descent_step
# expect: torch.optim
import torch
from torch.optim import _functional


def gradient_descent_step(x, y, W, b, lr):
    with torch._C.DisableTorchFunction():
        x, y = x.detach(), y.detach()
        W2, b2 = W.detach().clone(), b.detach().clone()
        m = x.shape[0]
        error = x * W2 + b2 - y
        grads = [2 / m * (error * x).sum(dim=0), 2 / m * error.sum(dim=0)]
        _functional.sgd([W2, b2], grads, [None, None], weight_decay=0.0, momentum=0.0, lr=lr,
                        dampening=0.0, nesterov=False, maximize=False)
        return W2, b2
