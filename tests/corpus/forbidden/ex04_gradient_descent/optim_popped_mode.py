# route: torch.optim.SGD with the torch-function mode popped (and pushed back afterwards)
# function: gradient_descent_step
# expect: torch.optim, tampered
# graded: yes
import torch


def _manual(x, y, W, b, lr):
    m = x.shape[0]
    error = x * W + b - y
    return W - lr * 2 / m * (error * x).sum(dim=0), b - lr * 2 / m * error.sum(dim=0)


def gradient_descent_step(x, y, W, b, lr):
    x, y = x.detach(), y.detach()
    mode = torch._C._pop_torch_function_stack()
    try:
        W2, b2 = W.detach().clone(), b.detach().clone()
        m = x.shape[0]
        with torch.no_grad():
            error = x * W2 + b2 - y
            W2.grad = 2 / m * (error * x).sum(dim=0)
            b2.grad = 2 / m * error.sum(dim=0)
        torch.optim.SGD([W2, b2], lr=lr).step()
        return W2.detach(), b2.detach()
    finally:
        torch._C._push_on_torch_function_stack(mode)


def fit(x, y, lr, epochs):
    W = torch.zeros(1, dtype=x.dtype)
    b = torch.zeros(1, dtype=x.dtype)
    costs = []
    for _ in range(epochs):
        costs.append(((x * W + b - y) ** 2).mean().item())
        W, b = _manual(x.detach(), y.detach(), W, b, lr)
    return W, b, costs
