# A different but valid way: softmax through logsumexp, the cross-entropy with a one-hot mask,
# a while loop that clears gradients with p.grad = None, predictions from predict_proba, and
# accuracy counted in plain Python.
import torch
import torch.nn.functional as F
from torch import nn


def softmax(z, dim=-1):
    return torch.exp(z - torch.logsumexp(z, dim=dim, keepdim=True))


def cross_entropy(logits, targets):
    log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    mask = F.one_hot(targets, num_classes=logits.shape[1]).to(logits.dtype)
    return -(mask * log_probs).sum(dim=1).mean()


def build_model(in_features, num_classes):
    model = nn.Sequential()
    model.add_module("linear", nn.Linear(in_features, num_classes))
    return model


def train(model, x, y, lr=0.1, epochs=1000):
    params = list(model.parameters())
    optimizer = torch.optim.SGD(params, lr)
    loss_fn = nn.CrossEntropyLoss()
    history, step = [], 0
    while step < epochs:
        for p in params:
            p.grad = None
        cost = loss_fn(model(x), y)
        history.append(float(cost))
        cost.backward()
        optimizer.step()
        step += 1
    return history


def predict_proba(model, x):
    return softmax(model(x).detach(), dim=1)


def predict(model, x):
    return predict_proba(model, x).argmax(dim=1)


def accuracy(predictions, targets):
    pairs = list(zip(predictions.tolist(), targets.tolist()))
    return sum(1 for p, t in pairs if p == t) / len(pairs)
