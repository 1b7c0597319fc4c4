"""The trusted probes of ex10_minibatch: grader code run in the worker beside the learner's module, answering plain data."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.probes import probe
from grader.probes.shared import DTYPES, gradients, training_curve_of

EXERCISE = "ex10_minibatch"


def _batches(loader: Any) -> list[list[torch.Tensor]]:
    return [[t.detach().clone() if isinstance(t, torch.Tensor) else t for t in batch] for batch in loader]


@probe
def ex10_loader_batches(module: Any, x: torch.Tensor, y: torch.Tensor, batch_size: int,
                        shuffle: bool | None = None, seed: int | None = None, epochs: int = 1) -> dict:
    """Call make_loader(x, y, batch_size[, shuffle][, seed]) and iterate it `epochs` times."""
    kwargs = {}
    if shuffle is not None:
        kwargs["shuffle"] = shuffle
    if seed is not None:
        kwargs["seed"] = seed
    loader = module.make_loader(x, y, batch_size, **kwargs)
    return {
        "is_dataloader": isinstance(loader, DataLoader),
        "type": type(loader).__name__,
        "epochs": [_batches(loader) for _ in range(epochs)],
    }


def id_rows(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Data whose rows carry their index: x[i] = (i, −i) float32, y[i] = 100 + i int64."""
    index = torch.arange(n, dtype=torch.float32)
    return torch.stack([index, -index], dim=1), torch.arange(n, dtype=torch.int64) + 100


@probe
def ex10_shuffle_orders(module: Any, n: int, batch_size: int, seeds: list[int], epochs: int = 2) -> dict:
    """Build one shuffling loader per seed (global RNG stirred in between) and iterate each `epochs` times.

    The global random state is seeded at the start (so a loader that ignores `seed` is still
    reproducible here) and stirred differently before every construction and every pass, so
    only a loader with its own seeded generator gives the same order twice.
    """
    torch.manual_seed(12345)
    runs = []
    for i, seed in enumerate(seeds):
        x, y = id_rows(n)
        torch.rand(i + 1)
        loader = module.make_loader(x, y, batch_size, shuffle=True, seed=seed)
        passes = []
        for e in range(epochs):
            torch.rand(2 * e + 3)
            passes.append(_batches(loader))
        runs.append(passes)
    return {"runs": runs}


@probe
def ex10_updates_table(module: Any, rows: list) -> list:
    """updates_per_epoch for each (n, batch_size, drop_last) row; drop_last None means "not passed"."""
    out = []
    for n, batch_size, drop_last in rows:
        if drop_last is None:
            out.append(module.updates_per_epoch(n, batch_size))
        else:
            out.append(module.updates_per_epoch(n, batch_size, drop_last=drop_last))
    return out


class _WatchedLoss(nn.Module):
    """Wraps the loss so the probe sees each forward pass and each backward through it."""

    def __init__(self, inner: nn.Module, events: list) -> None:
        super().__init__()
        self.inner = inner
        self.kit_events = events

    def forward(self, prediction, target):
        loss = self.inner(prediction, target)
        self.kit_events.append("forward")
        if isinstance(loss, torch.Tensor) and loss.requires_grad:
            loss.register_hook(lambda grad: self.kit_events.append("backward"))
        return loss


def train_problem(config: dict) -> tuple[nn.Module, DataLoader, torch.optim.Optimizer, nn.Module]:
    """Model, loader, optimizer and loss of a training-run config (seeded, deterministic)."""
    dtype = DTYPES[config.get("dtype", "float32")]
    generator = torch.Generator().manual_seed(config["seed"])
    n, features, outputs = config["n"], config["features"], config["outputs"]
    x = torch.randn(n, features, generator=generator, dtype=dtype) * 2
    if config["loss"] == "ce":
        y = torch.randint(0, outputs, (n,), generator=generator)
    else:
        true_w = torch.randn(features, outputs, generator=generator, dtype=dtype)
        y = x @ true_w + 0.5 + 0.1 * torch.randn(n, outputs, generator=generator, dtype=dtype)
    torch.manual_seed(config["seed"])
    model = nn.Linear(features, outputs).to(dtype)
    loader_generator = torch.Generator().manual_seed(config["seed"] + 1)
    loader = DataLoader(TensorDataset(x, y), batch_size=config["batch_size"], shuffle=config.get("shuffle", False),
                        drop_last=config.get("drop_last", False), generator=loader_generator)
    lr = config["lr"]
    kind = config["optimizer"]
    if kind == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    elif kind == "momentum":
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = {"mse": nn.MSELoss, "l1": nn.L1Loss, "ce": nn.CrossEntropyLoss}[config["loss"]]()
    return model, loader, optimizer, loss_fn


@probe
def ex10_train_run(module: Any, config: dict) -> dict:
    """Run train(model, loader, optimizer, loss_fn, epochs) on a seeded problem, watching every step.

    Returns what train returned, the gradients each optimizer.step() saw (None for a parameter
    without one), the final parameters and a log of events ("forward", "backward",
    "zero_grad", "step") for hints.
    """
    model, loader, optimizer, loss_fn = train_problem(config)
    events: list[str] = []
    steps: list[list] = []

    def before_step(opt, args, kwargs):
        events.append("step")
        steps.append([None if p.grad is None else p.grad.detach().clone() for p in model.parameters()])

    optimizer.register_step_pre_hook(before_step)
    for owner in (optimizer, model):
        original = owner.zero_grad

        def zero_grad(*args, _original=original, **kwargs):
            events.append("zero_grad")
            return _original(*args, **kwargs)

        owner.zero_grad = zero_grad
    losses = module.train(model, loader, optimizer, _WatchedLoss(loss_fn, events), config["epochs"])
    return {
        "losses": losses,
        "steps": steps,
        "params": [p.detach().clone() for p in model.parameters()],
        "events": events,
    }


@training_curve_of(EXERCISE, [("train", {"seed": 10, "n": 12, "batch_size": 4, "lr": 0.05, "epochs": 5})])
def curve(module: Any, function: str, config: dict) -> dict:
    """The run `grade run ex10 --plot` draws, the learner's and the reference's alike."""
    model, loader, optimizer, loss_fn = train_problem({
        "seed": config["seed"], "n": config["n"], "features": 1, "outputs": 1, "loss": "mse",
        "batch_size": config["batch_size"], "lr": config["lr"], "optimizer": "sgd", "epochs": config["epochs"]})
    curve: dict = {"loss": [], "W": [], "b": []}

    def watched(prediction, target):  # the loss of every batch, as train() computes it
        loss = loss_fn(prediction, target)
        curve["loss"].append(float(loss.detach()))
        return loss

    def after_step(*_: Any) -> None:
        curve["W"].append(float(model.weight.detach().reshape(-1)[0]))
        curve["b"].append(float(model.bias.detach().reshape(-1)[0]))

    optimizer.register_step_post_hook(after_step)
    module.train(model, loader, optimizer, watched, config["epochs"])
    return curve
