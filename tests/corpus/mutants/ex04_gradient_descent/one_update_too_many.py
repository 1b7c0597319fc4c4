# mistake: one_update_too_many
import torch


def gradient_descent_step(x, y, W, b, lr):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    m = x.shape[0]
    error = x * W + b - y
    dW = 2 / m * (error * x).sum(dim=0)
    db = 2 / m * error.sum(dim=0)
    return W - lr * dW, b - lr * db


def fit(x, y, lr, epochs):
    W = torch.zeros(1, dtype=x.dtype)
    b = torch.zeros(1, dtype=x.dtype)
    costs = []
    for epoch in range(epochs + 1):   # as in the classic tutorial
        cost = ((x * W + b - y) ** 2).mean()
        costs.append(cost.item())
        W, b = gradient_descent_step(x, y, W, b, lr)
        if epoch % 100 == 0:
            print(f"Epoch {epoch}/{epochs} W: {W.item():.3f} b: {b.item():.3f} Cost: {cost.item():.6f}")
    return W, b, costs
