# mistake: forbidden_call
import torch


def gradient_descent_step(x, y, W, b, lr):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    m = x.shape[0]
    error = x * W + b - y
    dW = 2 / m * (error * x).sum(dim=0)
    db = 2 / m * error.sum(dim=0)
    return W - lr * dW, b - lr * db


def fit(x, y, lr, epochs):
    W = torch.zeros(1, dtype=x.dtype, requires_grad=True)
    b = torch.zeros(1, dtype=x.dtype, requires_grad=True)
    costs = []
    for _ in range(epochs):
        cost = ((x * W + b - y) ** 2).mean()
        costs.append(cost.item())
        dW, db = torch.autograd.grad(cost, [W, b])
        with torch.no_grad():
            W -= lr * dW
            b -= lr * db
    return W.detach(), b.detach(), costs
