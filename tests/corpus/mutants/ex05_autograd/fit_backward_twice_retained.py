# mistake: backward_twice_retained
import torch


def autograd_gradients(x, y, W, b):
    W = W.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    cost = ((x * W + b - y) ** 2).mean()
    cost.backward()
    return W.grad, b.grad


def fit_autograd(x, y, W0, b0, lr, epochs, tol=5e-5):
    W = W0.detach().clone().requires_grad_(True)
    b = b0.detach().clone().requires_grad_(True)
    losses, ws, bs = [], [], []
    for _ in range(epochs):
        loss = ((x * W + b - y) ** 2).mean()
        if loss.item() < tol:
            break
        loss.backward(retain_graph=True)
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad.zero_()
        b.grad.zero_()
        losses.append(loss.item())
        ws.append(W.item())
        bs.append(b.item())
    return {"W": W.detach(), "b": b.detach(), "losses": losses, "ws": ws, "bs": bs}

