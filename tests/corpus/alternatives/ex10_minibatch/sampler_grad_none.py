"""Alternative: the generator on a RandomSampler, divmod, grads set to None by hand, per-batch records."""
import torch
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler, TensorDataset


def make_loader(x, y, batch_size, shuffle=False, seed=0):
    dataset = TensorDataset(x, y)
    if shuffle:
        sampler = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    else:
        sampler = SequentialSampler(dataset)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler)


def updates_per_epoch(n_samples, batch_size, drop_last=False):
    full, rest = divmod(n_samples, batch_size)
    return full if drop_last or rest == 0 else full + 1


def train(model, loader, optimizer, loss_fn, epochs):
    losses = []
    for _ in range(epochs):
        records = []
        for inputs, targets in loader:
            for p in model.parameters():
                p.grad = None
            batch_loss = loss_fn(model(inputs), targets)
            records.append((batch_loss.item(), len(targets)))
            batch_loss.backward()
            optimizer.step()
        losses.append(sum(l * n for l, n in records) / sum(n for _, n in records))
    return losses
