# Valid: every computation in float64, results cast back to the dtype of the inputs.
import torch


def _gradients(x, y, W, b):
    error = x * W + b - y
    m = x.shape[0]
    return 2 / m * (error * x).sum(dim=0), 2 / m * error.sum(dim=0), (error ** 2).mean()


def gradient_descent_step(x, y, W, b, lr):
    dtype = x.dtype
    x, y, W, b = (t.detach().double() for t in (x, y, W, b))
    dW, db, _ = _gradients(x, y, W, b)
    return (W - lr * dW).to(dtype), (b - lr * db).to(dtype)


def fit(x, y, lr, epochs):
    dtype = x.dtype
    x, y = x.detach().double(), y.detach().double()
    W = torch.zeros(1, dtype=torch.float64)
    b = torch.zeros(1, dtype=torch.float64)
    costs = []
    for _ in range(epochs):
        dW, db, cost = _gradients(x, y, W, b)
        costs.append(cost.item())
        W, b = W - lr * dW, b - lr * db
    return W.to(dtype), b.to(dtype), costs
