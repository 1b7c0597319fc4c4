"""Alternative: a separately seeded generator, math.ceil/floor, model.zero_grad(), a while loop, tensor totals."""
import math

import torch
from torch.utils.data import DataLoader, TensorDataset


def make_loader(x, y, batch_size, shuffle=False, seed=0):
    generator = None
    if shuffle:
        generator = torch.Generator()
        generator.manual_seed(seed)
    return DataLoader(TensorDataset(x, y), batch_size, shuffle=shuffle, generator=generator)


def updates_per_epoch(n_samples, batch_size, drop_last=False):
    if drop_last:
        return math.floor(n_samples / batch_size)
    return math.ceil(n_samples / batch_size)


def train(model, loader, optimizer, loss_fn, epochs):
    history = []
    epoch = 0
    while epoch < epochs:
        weighted = torch.zeros(())
        samples = 0
        batches = iter(loader)
        while True:
            try:
                xb, yb = next(batches)
            except StopIteration:
                break
            model.zero_grad()
            prediction = model(xb)
            loss = loss_fn(prediction, yb)
            weighted = weighted + loss.detach().double() * xb.shape[0]
            samples += yb.size(0)
            loss.backward()
            optimizer.step()
        history.append(float(weighted / samples))
        epoch += 1
    return history
