# A different but valid way: max-subtraction with torch.max, the cost from gather divided by n,
# train with the module's own cross_entropy and zero_grad after each step, predict with the
# classic `.max(1)` indices, accuracy via torch.eq.
import torch
from torch import nn


def softmax(z, dim=-1):
    m, _ = torch.max(z, dim=dim, keepdim=True)
    e = (z - m).exp()
    return e / torch.sum(e, dim=dim, keepdim=True)


def cross_entropy(logits, targets):
    n = logits.size(0)
    picked = torch.gather(logits, 1, targets.view(-1, 1)).view(-1)
    return (torch.logsumexp(logits, 1) - picked).sum() / n


def build_model(in_features, num_classes):
    return nn.Sequential(nn.Linear(in_features=in_features, out_features=num_classes))


def train(model, x, y, lr=0.1, epochs=1000):
    optimizer = torch.optim.SGD(params=model.parameters(), lr=lr)
    costs = []
    for epoch in range(1, epochs + 1):
        cost = cross_entropy(model(x), y)
        cost.backward()
        optimizer.step()
        optimizer.zero_grad()
        costs.append(cost.detach().item())
    return costs


def predict_proba(model, x):
    with torch.no_grad():
        logits = model(x)
    return softmax(logits, 1)


def predict(model, x):
    with torch.no_grad():
        return model(x).max(1)[1]


def accuracy(predictions, targets):
    return torch.eq(predictions, targets).double().mean().item()
