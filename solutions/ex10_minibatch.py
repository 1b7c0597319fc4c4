"""ex10 — Mini-batches: DataLoader, updates per epoch, a mini-batch training loop.

So far every update used the whole data set (full-batch gradient descent). With many samples
that is slow, and one gradient per pass over the data is few. **Mini-batch** gradient descent
splits the n samples into batches of B and makes one update per batch, using the mean loss
of that batch as a noisy but cheap estimate of the full cost.

* An **epoch** is one pass over all samples, so it makes ceil(n / B) updates; the last batch
  holds the n mod B leftovers. With ``drop_last=True`` that short batch is dropped and an
  epoch makes floor(n / B) updates. (Example: n = 10, B = 3 → 4 updates, or 3 with
  ``drop_last``.) In this exercise, ``epochs`` counts passes over the data; the number of
  parameter updates is epochs × updates per epoch.
* ``TensorDataset(x, y)`` pairs row i of ``x`` with row i of ``y``; ``DataLoader`` cuts it into
  batches. With ``shuffle=True`` the order changes every epoch, which decorrelates
  consecutive updates; giving the loader its own ``torch.Generator`` seeded with a constant
  makes that order reproducible (and independent of the global seed).
* Every batch is a full optimisation step: **clear the gradients for every batch**
  (``backward`` accumulates into ``.grad``; clearing once per epoch would add up the
  gradients of all previous batches), forward, loss, backward, step.
* The epoch's reported loss is the **sample-weighted** mean of the batch losses,
  Σ(batch_loss · batch_len) / Σ batch_len: a plain mean over batches would give the short
  last batch as much weight as a full one. As before (C8), each batch loss is taken *before*
  its own update, so the epoch figure mixes the states the parameters passed through.
"""

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset


def make_loader(x: Tensor, y: Tensor, batch_size: int, shuffle: bool = False, seed: int = 0) -> DataLoader:
    """Return a ``DataLoader`` over ``TensorDataset(x, y)`` with batches of ``batch_size``.

    The last batch may be shorter (no ``drop_last``). When ``shuffle`` is True, pass
    ``shuffle=True`` and a ``torch.Generator()`` seeded with ``seed`` as the loader's
    ``generator``, so the same seed gives the same order; when False, batches follow the
    rows of ``x`` in order. Do not modify ``x`` or ``y``.
    """
    ### BEGIN SOLUTION
    dataset = TensorDataset(x, y)
    if shuffle:
        generator = torch.Generator().manual_seed(seed)
        return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    return DataLoader(dataset, batch_size=batch_size, shuffle=False)
    ### END SOLUTION


def updates_per_epoch(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    """Return how many optimizer updates one epoch over ``n_samples`` makes with ``batch_size``.

    ceil(n_samples / batch_size) — the last, shorter batch counts — or
    floor(n_samples / batch_size) when ``drop_last`` is True. An ``int``; compute it with
    integer arithmetic (no floating-point rounding). Raise ``ValueError`` if ``batch_size``
    is not positive or ``n_samples`` is negative.
    """
    ### BEGIN SOLUTION
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    if n_samples < 0:
        raise ValueError(f"n_samples must not be negative, got {n_samples}")
    if drop_last:
        return n_samples // batch_size
    return -(-n_samples // batch_size)
    ### END SOLUTION


def train(
    model: nn.Module,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    loss_fn: nn.Module,
    epochs: int,
) -> list[float]:
    """Train ``model`` for ``epochs`` passes over ``loader``; return one loss per epoch.

    For every batch ``(xb, yb)``: clear the gradients, forward, ``loss_fn(model(xb), yb)``,
    backward, ``optimizer.step()`` — one update per batch, gradients cleared for *every*
    batch. Entry e of the result is the sample-weighted mean of epoch e's batch losses,
    Σ(batch_loss · len(xb)) / Σ len(xb), as a Python float, each batch loss taken before its
    update. ``loss_fn`` returns the mean loss of a batch.
    """
    ### BEGIN SOLUTION
    history = []
    for _ in range(epochs):
        total = 0.0
        count = 0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            total += loss.item() * len(xb)
            count += len(xb)
            loss.backward()
            optimizer.step()
        history.append(total / count)
    return history
    ### END SOLUTION
