# mistake: velocity_not_kept
import csv

import torch
from torch import nn

from grader.data import kit_data_path

WINE_CSV = kit_data_path("wine/wine_data.csv")
SPLIT_SEED = 4
TEST_FRACTION = 0.3


def split_wine(x, y):
    generator = torch.Generator().manual_seed(SPLIT_SEED)
    test_rows = []
    for cls in torch.unique(y).tolist():
        rows = torch.nonzero(y == cls).flatten()
        rows = rows[torch.randperm(len(rows), generator=generator)]
        test_rows.append(rows[: round(TEST_FRACTION * len(rows))])
    is_test = torch.zeros(len(y), dtype=torch.bool)
    is_test[torch.cat(test_rows)] = True
    return x[~is_test], y[~is_test], x[is_test], y[is_test]


def sgd_momentum_step(params, velocities, lr, momentum):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is None:
                continue
            v = momentum * v + p.grad
            p -= lr * v


def adam_step(params, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    beta1, beta2 = betas
    state["step"] += 1
    t = state["step"]
    with torch.no_grad():
        for p, m, v in zip(params, state["m"], state["v"]):
            if p.grad is None:
                continue
            g = p.grad
            m.mul_(beta1).add_((1 - beta1) * g)
            v.mul_(beta2).add_((1 - beta2) * g * g)
            m_hat = m / (1 - beta1 ** t)
            v_hat = v / (1 - beta2 ** t)
            p -= lr * m_hat / (torch.sqrt(v_hat) + eps)


def load_wine():
    with open(WINE_CSV) as f:
        rows = list(csv.reader(f))[1:]
    x = torch.tensor([[float(v) for v in row[:13]] for row in rows], dtype=torch.float32)
    y = torch.tensor([int(row[13]) for row in rows])
    return x, y


def train_wine(optimizer, epochs=1000, lr=0.01, seed=0):
    x, y = load_wine()
    x_train, y_train, x_test, y_test = split_wine(x, y)
    torch.manual_seed(seed)
    model = nn.Linear(13, 3)
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    elif optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        raise ValueError(optimizer)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        opt.zero_grad()
        loss = loss_fn(model(x_train), y_train)
        loss.backward()
        opt.step()
    with torch.no_grad():
        correct = (model(x_test).argmax(dim=1) == y_test).sum().item()
    return correct / len(y_test)
