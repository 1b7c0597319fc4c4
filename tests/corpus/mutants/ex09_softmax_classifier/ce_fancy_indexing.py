# mistake: cross_entropy_wrong_indexing
# logits[:, targets]
import torch
import torch.nn.functional as F
from torch import nn


def softmax(z, dim=-1):
    shifted = z - z.max(dim=dim, keepdim=True).values
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=dim, keepdim=True)


def cross_entropy(logits, targets):
    n = logits.shape[0]
    log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    return -log_probs[:, targets].mean()


def build_model(in_features, num_classes):
    return nn.Sequential(nn.Linear(in_features, num_classes))


def train(model, x, y, lr=0.1, epochs=1000):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        logits = model(x)
        cost = criterion(logits, y)
        losses.append(cost.item())
        cost.backward()
        optimizer.step()
    return losses


def predict_proba(model, x):
    with torch.no_grad():
        return softmax(model(x), dim=1)


def predict(model, x):
    with torch.no_grad():
        return model(x).argmax(dim=1)


def accuracy(predictions, targets):
    correct = (predictions == targets).sum().item()
    return correct / len(targets)
