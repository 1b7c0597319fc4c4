import torch


def accumulated_gradients(w0, steps):
    w = torch.tensor(w0, requires_grad=True)
    return [_backward_and_read(w) for _ in range(steps)]


def _backward_and_read(w):
    z = 3 * w + 1
    z.backward()
    return w.grad.clone().item()


def train_step(W, b, optimizer, x, y):
    optimizer.zero_grad(set_to_none=False)
    d = x * W + b - y
    cost = (d * d).sum() / d.numel()
    cost.backward()
    before = cost.detach().item()
    optimizer.step()
    optimizer.zero_grad()
    return before
