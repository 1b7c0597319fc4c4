import torch


def autograd_gradients(x, y, W, b):
    w = W.detach().requires_grad_()
    c = b.detach().requires_grad_()
    residual = torch.addcmul(c - y, x, w)
    cost = (residual * residual).sum() / residual.numel()
    dW, db = torch.autograd.grad(cost, (w, c))
    return dW, db


def fit_autograd(x, y, W0, b0, lr, epochs, tol=5e-5):
    W = torch.empty_like(W0).copy_(W0).requires_grad_(True)
    b = torch.empty_like(b0).copy_(b0).requires_grad_(True)
    history = {"losses": [], "ws": [], "bs": []}
    step = 0
    while step < epochs:
        loss = ((x * W + b - y) ** 2).mean()
        value = float(loss)
        if value < tol:
            break
        loss.backward()
        W.data.sub_(lr * W.grad)
        b.data.sub_(lr * b.grad)
        W.grad = None
        b.grad = None
        history["losses"].append(value)
        history["ws"].append(float(W))
        history["bs"].append(float(b))
        step += 1
    return {"W": W.detach().clone(), "b": b.detach().clone(), **history}
