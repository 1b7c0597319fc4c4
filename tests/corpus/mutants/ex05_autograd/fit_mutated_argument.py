# mistake: mutated_argument
import torch


def autograd_gradients(x, y, W, b):
    W = W.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    cost = ((x * W + b - y) ** 2).mean()
    cost.backward()
    return W.grad, b.grad


def fit_autograd(x, y, W0, b0, lr, epochs, tol=5e-5):
    W, b = W0, b0
    losses, ws, bs = [], [], []
    for _ in range(epochs):
        W.requires_grad_(True)
        b.requires_grad_(True)
        loss = ((x * W + b - y) ** 2).mean()
        if loss.item() < tol:
            break
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad = None
        b.grad = None
        losses.append(loss.item())
        ws.append(W.item())
        bs.append(b.item())
    W.requires_grad_(False)
    b.requires_grad_(False)
    return {"W": W.clone(), "b": b.clone(), "losses": losses, "ws": ws, "bs": bs}
