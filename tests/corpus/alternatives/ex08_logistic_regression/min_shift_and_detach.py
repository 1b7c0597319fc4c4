# A different but valid way: sigmoid as e^m / (e^m + e^(m − z)) with m = min(z, 0) (every
# exponent ≤ 0), BCE with log1p and float64 arithmetic, an OrderedDict model, gradients
# cleared after each step, predictions from a detached output.
from collections import OrderedDict

import torch
from torch import nn


def sigmoid(z):
    m = torch.clamp(z, max=0)
    top = torch.exp(m)
    return top / (top + torch.exp(m - z))


def binary_cross_entropy(p, y):
    q = p.double()
    t = y.double()
    loss = -(t * torch.clamp(torch.log(q), min=-100) + (1 - t) * torch.clamp(torch.log1p(-q), min=-100))
    return loss.mean().to(p.dtype)


def build_model(in_features):
    return nn.Sequential(OrderedDict([("linear", nn.Linear(in_features, 1)), ("sigmoid", nn.Sigmoid())]))


def train(model, x, y, lr=0.01, epochs=1000):
    optimizer = torch.optim.SGD(params=model.parameters(), lr=lr)
    loss_fn = nn.BCELoss()
    losses = []
    for epoch in range(1, epochs + 1):
        cost = loss_fn(model(x), y)
        cost.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=False)
        losses.append(cost.detach().item())
    return losses


def predict(model, x, threshold=0.5):
    p = model(x).detach()
    return (p >= threshold).type(p.dtype)
