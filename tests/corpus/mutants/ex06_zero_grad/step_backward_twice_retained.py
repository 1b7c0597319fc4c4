# mistake: backward_twice_retained
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
    optimizer.zero_grad()
    cost = ((x * W + b - y) ** 2).mean()
    cost.backward(retain_graph=True)
    cost.backward()
    optimizer.step()
    return cost.item()
