# A different but valid way: sigmoid through tanh, torch.maximum for the clamp, a while loop
# that clears gradients with p.grad = None and uses its own binary_cross_entropy.
import torch
from torch import nn


def sigmoid(z):
    # σ(z) = (1 + tanh(z / 2)) / 2: tanh saturates at ±1 and never overflows.
    return 0.5 * (1.0 + torch.tanh(z / 2))


def binary_cross_entropy(p, y):
    floor = torch.tensor(-100.0, dtype=p.dtype)
    per_sample = y * torch.maximum(torch.log(p), floor) + (1 - y) * torch.maximum(torch.log(1 - p), floor)
    return -per_sample.sum() / per_sample.numel()


def build_model(in_features):
    linear = nn.Linear(in_features, 1)
    return nn.Sequential(linear, nn.Sigmoid())


def train(model, x, y, lr=0.01, epochs=1000):
    params = list(model.parameters())
    optimizer = torch.optim.SGD(params, lr)
    history = []
    done = 0
    while done < epochs:
        for p in params:
            p.grad = None
        cost = binary_cross_entropy(model(x), y)
        history.append(float(cost))
        cost.backward()
        optimizer.step()
        done += 1
    return history


def predict(model, x, threshold=0.5):
    with torch.inference_mode():
        probabilities = model(x)
    return torch.where(probabilities >= threshold, 1.0, 0.0).to(probabilities.dtype)
