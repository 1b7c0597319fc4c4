# mistake: forbidden_call
import torch


def gradient_descent_step(x, y, W, b, lr):
    W = W.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    ((x * W + b - y) ** 2).mean().backward()
    with torch.no_grad():
        return W - lr * W.grad, b - lr * b.grad


def fit(x, y, lr, epochs):
    W = torch.zeros(1, dtype=x.dtype)
    b = torch.zeros(1, dtype=x.dtype)
    costs = []
    for _ in range(epochs):
        costs.append(((x * W + b - y) ** 2).mean().item())
        W, b = gradient_descent_step(x, y, W, b, lr)
    return W, b, costs

