# advice: sigmoid_gradient
# Valid by the contract: the stable formula with torch.abs has the right values; its gradient is 0 at z = 0
# (advice only: the contract does not ask sigmoid to be differentiable).
import torch
import torch.nn.functional as F
from torch import nn


def sigmoid(z):
    e = torch.exp(-torch.abs(z))
    return torch.where(z >= 0, 1 / (1 + e), e / (1 + e))


def binary_cross_entropy(p, y):
    log_p = torch.log(p).clamp(min=-100)
    log_q = torch.log(1 - p).clamp(min=-100)
    return -(y * log_p + (1 - y) * log_q).mean()


def build_model(in_features):
    return nn.Sequential(nn.Linear(in_features, 1), nn.Sigmoid())


def train(model, x, y, lr=0.01, epochs=1000):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.BCELoss()
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        hypothesis = model(x)
        cost = criterion(hypothesis, y)
        losses.append(cost.item())
        cost.backward()
        optimizer.step()
    return losses


def predict(model, x, threshold=0.5):
    with torch.no_grad():
        prediction = model(x) >= threshold
    return prediction.float()
