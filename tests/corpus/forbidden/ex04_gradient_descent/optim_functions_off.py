# route: optimizer.step() of torch.optim.SGD inside torch._C.DisableTorchFunction()
# function: gradient_descent_step
# expect: torch.optim
# graded: yes
import torch


def _manual(x, y, W, b, lr):
    m = x.shape[0]
    error = x * W + b - y
    return W - lr * 2 / m * (error * x).sum(dim=0), b - lr * 2 / m * error.sum(dim=0)


def gradient_descent_step(x, y, W, b, lr):
    with torch._C.DisableTorchFunction():
        x, y = x.detach(), y.detach()
        W2, b2 = W.detach().clone(), b.detach().clone()
        m = x.shape[0]
        error = x * W2 + b2 - y
        W2.grad = 2 / m * (error * x).sum(dim=0)
        b2.grad = 2 / m * error.sum(dim=0)
        torch.optim.SGD([W2, b2], lr=lr).step()
        return W2, b2


def fit(x, y, lr, epochs):
    W = torch.zeros(1, dtype=x.dtype)
    b = torch.zeros(1, dtype=x.dtype)
    costs = []
    for _ in range(epochs):
        costs.append(((x * W + b - y) ** 2).mean().item())
        W, b = _manual(x.detach(), y.detach(), W, b, lr)
    return W, b, costs
