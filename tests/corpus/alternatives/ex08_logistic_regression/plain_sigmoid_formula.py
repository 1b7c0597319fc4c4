# advice: sigmoid_gradient
# Valid: the contract's own formula 1 / (1 + torch.exp(-z)): finite values for |z| <= 1000 (its NaN gradient
# at z = -1000 is beyond the contract: the gradient check gives advice, not a verdict).
import torch
import torch.nn.functional as F
from torch import nn


def sigmoid(z):
    return 1 / (1 + torch.exp(-z))


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
