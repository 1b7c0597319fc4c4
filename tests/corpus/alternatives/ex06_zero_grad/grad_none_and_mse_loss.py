import torch
import torch.nn.functional as F


def accumulated_gradients(w0, steps):
    w = torch.tensor(float(w0), requires_grad=True)
    seen = []
    while len(seen) < steps:
        (w * 3 + 1).backward()
        seen.append(float(w.grad))
    return seen


def train_step(W, b, optimizer, x, y):
    W.grad = None
    b.grad = None
    cost = F.mse_loss(W * x + b, y)
    cost.backward()
    optimizer.step()
    return float(cost)
