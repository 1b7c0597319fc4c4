# mistake: none
import torch


def accumulated_gradients(w0, steps):
    w = torch.tensor(w0, requires_grad=True)
    grads = []
    for _ in range(steps):
        z = 3 * w + 1
        z.backward()
        grads.append(w.grad.item())
    return grads



def train_step(W, b, optimizer, x, y):
    W.grad = None
    b.grad = None
    cost = ((x * W + b - y) ** 2).mean()
    cost.backward()
    lr = optimizer.param_groups[0]["lr"]
    with torch.no_grad():
        W -= lr * W.grad
        b -= lr * b.grad
    return cost.item()
