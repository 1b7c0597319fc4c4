"""Known mistakes of ex10_minibatch, as functions computing what the mistaken code does."""

import torch
from torch.utils.data import DataLoader, TensorDataset


# make_loader -------------------------------------------------------------------------------

def _shuffle_ignored(x, y, batch_size, shuffle=False, seed=0):
    return DataLoader(TensorDataset(x, y), batch_size=batch_size)


def _unseeded_shuffle(x, y, batch_size, shuffle=False, seed=0):
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle)


def _loader_global_seed(x, y, batch_size, shuffle=False, seed=0):
    torch.manual_seed(seed)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle)


def _dropped_last_batch(x, y, batch_size, shuffle=False, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle, drop_last=True, generator=generator)


# updates_per_epoch ---------------------------------------------------------------------------

def _float_division(n_samples, batch_size, drop_last=False):
    return n_samples / batch_size


def _short_batch_not_counted(n_samples, batch_size, drop_last=False):
    return n_samples // batch_size


def _drop_last_ignored(n_samples, batch_size, drop_last=False):
    return -(-n_samples // batch_size)


def _drop_last_inverted(n_samples, batch_size, drop_last=False):
    return -(-n_samples // batch_size) if drop_last else n_samples // batch_size


def _rounded(n_samples, batch_size, drop_last=False):
    return n_samples // batch_size if drop_last else round(n_samples / batch_size)


# train ----------------------------------------------------------------------------------------

def _train(model, loader, optimizer, loss_fn, epochs, *, clear="batch", order="clear-forward-backward-step",
           record="weighted", passes=None, step_per="batch"):
    """A configurable training loop; each keyword reproduces one mistake."""
    history = []
    for _ in range(epochs + 1 if passes == "extra" else epochs):
        if clear in ("epoch", "epoch-step"):
            optimizer.zero_grad()
        total, count, batch_losses, last = 0.0, 0, [], None
        for xb, yb in loader:
            if order == "step-first":
                optimizer.step()
            if clear == "batch" and order != "clear-between":
                optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            if order == "clear-between":
                optimizer.zero_grad()
            if step_per == "batch" and order != "step-first":
                optimizer.step()
            value = loss.item()
            if record == "after-update":
                with torch.no_grad():
                    value = loss_fn(model(xb), yb).item()
            weight = len(xb)
            if record == "nominal-batch-size":
                weight = loader.batch_size
            total += value * weight
            count += len(xb)
            batch_losses.append(value)
            last = value
        if step_per == "epoch":
            optimizer.step()
        if record == "unweighted":
            history.append(sum(batch_losses) / len(batch_losses))
        elif record == "sum":
            history.append(sum(batch_losses))
        elif record == "last":
            history.append(last)
        elif record in ("nominal-batch-size", "dataset-size"):
            history.append(total / len(loader.dataset))
        else:
            history.append(total / count)
    return history


def _with(**options):
    return lambda model, loader, optimizer, loss_fn, epochs: _train(model, loader, optimizer, loss_fn, epochs, **options)


def _loss_fn_ignored(model, loader, optimizer, loss_fn, epochs):
    return _train(model, loader, optimizer, torch.nn.MSELoss(), epochs)


VARIANTS = {
    "make_loader": {
        "shuffle_ignored": _shuffle_ignored,
        "unseeded_shuffle": _unseeded_shuffle,
        "loader_global_seed": _loader_global_seed,
        "dropped_last_batch": _dropped_last_batch,
    },
    "updates_per_epoch": {
        "float_division": _float_division,
        "short_batch_not_counted": _short_batch_not_counted,
        "drop_last_ignored": _drop_last_ignored,
        "drop_last_inverted": _drop_last_inverted,
        "rounded_not_ceiled": _rounded,
    },
    "train": {
        "zero_grad_once_per_epoch": _with(clear="epoch"),
        "missing_zero_grad": _with(clear="never"),
        "zero_grad_between_backward_and_step": _with(order="clear-between"),
        "step_before_backward": _with(order="step-first"),
        "step_once_per_epoch": _with(clear="epoch-step", step_per="epoch"),
        "one_epoch_too_many": _with(passes="extra"),
        "unweighted_batch_mean": _with(record="unweighted"),
        "divided_by_dataset_size": _with(record="dataset-size"),
        "nominal_batch_size_weight": _with(record="nominal-batch-size"),
        "sum_instead_of_mean": _with(record="sum"),
        "last_batch_loss_only": _with(record="last"),
        "cost_recorded_after_update": _with(record="after-update"),
        "loss_fn_ignored": _loss_fn_ignored,
    },
}
