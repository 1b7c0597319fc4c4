# mistake: mutated_argument
import torch


def gradient_descent_step(x, y, W, b, lr):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    m = x.shape[0]
    error = x * W + b - y
    dW = 2 / m * (error * x).sum(dim=0)
    db = 2 / m * error.sum(dim=0)
    return W - lr * dW, b - lr * db


def fit(x, y, lr, epochs):
    x.squeeze_(1)          # work with 1-D vectors
    y.squeeze_(1)
    m = x.shape[0]
    W = torch.zeros(1, dtype=x.dtype)
    b = torch.zeros(1, dtype=x.dtype)
    costs = []
    for _ in range(epochs):
        error = x * W + b - y
        costs.append((error ** 2).mean().item())
        W = W - lr * 2 / m * (error * x).sum().reshape(1)
        b = b - lr * 2 / m * error.sum().reshape(1)
    return W, b, costs
