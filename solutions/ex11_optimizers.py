"""ex11 — Optimizers: SGD with momentum and Adam, by hand; why Adam copes with unscaled data.

Plain gradient descent moves every parameter by p ← p − lr·g. Two problems: in a long narrow
valley the gradient zig-zags across the valley and crawls along it, and one learning rate
must suit every parameter, even when their gradients differ by orders of magnitude.

**Momentum** keeps a running velocity v (one tensor per parameter, starting at zero):

    v ← μ·v + g,        p ← p − lr·v.

Gradients that keep pointing the same way add up (up to 1 / (1 − μ) times larger steps),
while oscillating components cancel out. This is exactly what
``torch.optim.SGD(params, lr, momentum=μ)`` does (its first step copies g into v, the same
as μ·0 + g). Order matters: update v first, then move p with the *new* v.

**Adam** keeps, per parameter, a moving average of the gradient m (first moment) and of its
elementwise square v (second moment), both starting at zero, and a step counter t:

    t ← t + 1
    m ← β1·m + (1 − β1)·g
    v ← β2·v + (1 − β2)·g²
    m̂ = m / (1 − β1^t),    v̂ = v / (1 − β2^t)        (bias correction)
    p ← p − lr · m̂ / (√v̂ + ε)

Because m and v start at zero, early averages are biased towards zero (after one step
m = (1 − β1)·g = 0.1·g); dividing by 1 − β^t undoes exactly that bias, so the first step is
about lr·g/|g| = lr in size. Dividing by √v̂ rescales every coordinate by its own typical
gradient size: each parameter moves by roughly lr per step whether its gradients are 1e−3 or
1e3. That is why Adam trains a linear classifier on the raw wine features (alcohol ≈ 13,
proline ≈ 750, hue ≈ 1) while plain SGD with the same learning rate is thrown around by the
huge proline gradients. (Scaling the features would rescue SGD; here we keep them raw.)

Both hand-written steps update the parameters and their state **in place** and without
autograd tracking (``torch.no_grad()``), skipping parameters whose ``.grad`` is None — just as
the library optimizers do.
"""

import csv

import torch
from torch import Tensor, nn

from grader.data import kit_data_path

WINE_CSV = kit_data_path("wine/wine_data.csv")
"""Path of the kit's copy of the wine data (given, do not change)."""

SPLIT_SEED = 4
"""Seed of the kit's fixed wine train/test split (given, do not change)."""

TEST_FRACTION = 0.3
"""Share of each class held out for testing (given, do not change)."""


def split_wine(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Return the kit's fixed split ``(x_train, y_train, x_test, y_test)`` (given, do not change).

    Stratified: the rows of each class are permuted with a ``torch.Generator`` seeded with
    ``SPLIT_SEED`` and ``round(TEST_FRACTION · class size)`` of them go to the test part.
    Deterministic and independent of the global random state; rows keep their original
    order within each part.
    """
    generator = torch.Generator().manual_seed(SPLIT_SEED)
    test_rows = []
    for cls in torch.unique(y).tolist():
        rows = torch.nonzero(y == cls).flatten()
        rows = rows[torch.randperm(len(rows), generator=generator)]
        test_rows.append(rows[: round(TEST_FRACTION * len(rows))])
    is_test = torch.zeros(len(y), dtype=torch.bool)
    is_test[torch.cat(test_rows)] = True
    return x[~is_test], y[~is_test], x[is_test], y[is_test]


def sgd_momentum_step(params: list[Tensor], velocities: list[Tensor], lr: float, momentum: float) -> None:
    """One SGD-with-momentum step, in place: v ← momentum·v + grad, then p ← p − lr·v.

    ``params`` are leaf tensors (requiring grad) whose ``.grad`` holds the current gradient;
    ``velocities[i]`` is the velocity of ``params[i]`` (same shape, zeros before the first
    step). Update both lists' tensors in place (``mul_``, ``add_``, ...) inside
    ``torch.no_grad()``; skip a parameter whose ``.grad`` is None (leave its velocity alone).
    Do not touch the gradients. Must match ``torch.optim.SGD(params, lr=lr,
    momentum=momentum)`` step for step. Returns None.

    Forbidden: ``torch.optim``.
    """
    ### BEGIN SOLUTION
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is None:
                continue
            v.mul_(momentum).add_(p.grad)
            p.sub_(lr * v)
    ### END SOLUTION


def adam_step(
    params: list[Tensor],
    state: dict,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> None:
    """One Adam step, in place, with bias correction.

    ``state`` is ``{"step": int, "m": list[Tensor], "v": list[Tensor]}`` — 0 and zeros shaped
    like ``params`` before the first step. Increment ``state["step"]`` once per call (t), then
    for each parameter with a gradient g (skip those whose ``.grad`` is None):
    m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t),
    p ← p − lr·m̂ / (√v̂ + ε). Update the parameters, ``m`` and ``v`` in place inside
    ``torch.no_grad()`` (replace no list entries). Must match ``torch.optim.Adam(params,
    lr=lr, betas=betas, eps=eps)`` step for step. Returns None.

    Forbidden: ``torch.optim``.
    """
    ### BEGIN SOLUTION
    beta1, beta2 = betas
    state["step"] += 1
    t = state["step"]
    bias_correction1 = 1 - beta1**t
    bias_correction2 = 1 - beta2**t
    with torch.no_grad():
        for p, m, v in zip(params, state["m"], state["v"]):
            if p.grad is None:
                continue
            g = p.grad
            m.mul_(beta1).add_(g, alpha=1 - beta1)
            v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            m_hat = m / bias_correction1
            v_hat = v / bias_correction2
            p.sub_(lr * m_hat / (v_hat.sqrt() + eps))
    ### END SOLUTION


def load_wine() -> tuple[Tensor, Tensor]:
    """Read the kit's wine data from ``WINE_CSV``; return features and labels.

    The first line is a header ``178,13,class_0,class_1,class_2`` (rows, features, class
    names); every other line is 13 numbers then the integer class. Return the features as a
    float32 tensor ``(178, 13)`` (unscaled, as in the file) and the labels as an int64
    tensor ``(178,)`` with values 0, 1, 2.
    """
    ### BEGIN SOLUTION
    with open(WINE_CSV, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        n_rows, n_features = int(header[0]), int(header[1])
        rows = [row for row in reader if row]
    if len(rows) != n_rows:
        raise ValueError(f"{WINE_CSV}: header says {n_rows} rows, found {len(rows)}")
    features = torch.tensor([[float(v) for v in row[:n_features]] for row in rows], dtype=torch.float32)
    labels = torch.tensor([int(row[n_features]) for row in rows], dtype=torch.int64)
    return features, labels
    ### END SOLUTION


def train_wine(optimizer: str, epochs: int = 1000, lr: float = 0.01, seed: int = 0) -> float:
    """Train a linear classifier on the unscaled wine data; return its test accuracy.

    Load the data with ``load_wine`` and split it with ``split_wine``. Then
    ``torch.manual_seed(seed)``, build ``nn.Linear(13, 3)``, and create
    ``torch.optim.SGD(model.parameters(), lr=lr)`` for ``optimizer == "sgd"`` or
    ``torch.optim.Adam(model.parameters(), lr=lr)`` for ``"adam"`` (any other name: raise
    ``ValueError``). Train full batch on the training part with ``nn.CrossEntropyLoss()``
    for exactly ``epochs`` updates (clear, forward, cost, backward, step). Return the
    fraction of test rows whose arg-max logit is the true class, as a Python float in [0, 1].
    With the defaults Adam reaches at least 0.9 and beats SGD.
    """
    ### BEGIN SOLUTION
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"unknown optimizer {optimizer!r}: use 'sgd' or 'adam'")
    x, y = load_wine()
    x_train, y_train, x_test, y_test = split_wine(x, y)
    torch.manual_seed(seed)
    model = nn.Linear(13, 3)
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        opt.zero_grad()
        loss = loss_fn(model(x_train), y_train)
        loss.backward()
        opt.step()
    with torch.no_grad():
        predictions = model(x_test).argmax(dim=1)
    return (predictions == y_test).float().mean().item()
    ### END SOLUTION
