# mistake: none
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_loader(x, y, batch_size, shuffle=False, seed=0):
    dataset = TensorDataset(x, y)
    if shuffle:
        g = torch.Generator().manual_seed(seed)
        return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=g)
    return DataLoader(dataset, batch_size=batch_size)


def updates_per_epoch(n_samples, batch_size, drop_last=False):
    if drop_last:
        return n_samples // batch_size
    return (n_samples + batch_size - 1) // batch_size


def train(model, loader, optimizer, loss_fn, epochs):
    losses = []
    for epoch in range(epochs):
        total, seen = 0.0, 0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss * len(xb)
            seen += len(xb)
        losses.append(total / seen)
    return losses
