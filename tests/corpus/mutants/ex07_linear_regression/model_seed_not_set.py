# mistake: seed_not_set
import torch
import torch.nn.functional as F
from torch import nn


def train(x, y, lr=0.01, epochs=2000):
    W = torch.zeros(1, dtype=x.dtype, requires_grad=True)
    b = torch.zeros(1, dtype=x.dtype, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=lr)
    costs = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        cost = ((x * W + b - y) ** 2).mean()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return W.detach(), b.detach(), costs


def train_model(x, y, lr=0.01, epochs=2000, seed=1):
    model = nn.Linear(x.shape[1], 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(epochs):
        optimizer.zero_grad()
        cost = F.mse_loss(model(x), y)
        cost.backward()
        optimizer.step()
    return model
