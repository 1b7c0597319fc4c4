# Valid: a while loop, mean() instead of 2/m·Σ, the step reused by fit, tensors from zeros_like.
import torch


def gradient_descent_step(x, y, W, b, lr):
    with torch.no_grad():
        error = x * W + b - y
        dW = 2 * (error * x).mean(dim=0)
        db = 2 * error.mean(dim=0)
        return W - lr * dW, b - lr * db


def fit(x, y, lr, epochs):
    W = torch.zeros_like(x[0])
    b = torch.zeros_like(x[0])
    costs = []
    done = 0
    while done < epochs:
        costs.append(float(((y - (x * W + b)) ** 2).mean()))
        W, b = gradient_descent_step(x, y, W, b, lr)
        done += 1
    return W, b, costs
