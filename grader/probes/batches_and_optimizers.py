"""Probes for ex10 (mini-batches) and ex11 (hand-written optimizers).

A DataLoader, a model or an optimizer cannot cross the boundary, so these probes build them
inside the worker, drive the learner's functions and return plain data: the batches a loader
yields, the gradients each `optimizer.step()` saw, parameter trajectories. The same problem
builders are used by the checks (trusted process) to run `torch.optim` itself for comparison.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.probes import probe

_DTYPES = {"float32": torch.float32, "float64": torch.float64}

# ---------------------------------------------------------------------------------------------
# ex10: loaders


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


# ---------------------------------------------------------------------------------------------
# ex10: a watched training run


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
    dtype = _DTYPES[config.get("dtype", "float32")]
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


# ---------------------------------------------------------------------------------------------
# ex11: hand-written optimizer steps on a fixed quadratic problem


def quadratic_problem(config: dict) -> tuple[list[torch.Tensor], list[torch.Tensor], list[torch.Tensor]]:
    """Initial parameters (leaf, requiring grad), targets and per-element curvatures."""
    dtype = _DTYPES[config.get("dtype", "float32")]
    generator = torch.Generator().manual_seed(config["seed"])
    low, high = config.get("log10_curvature", (-0.5, 0.3))
    params, targets, curvatures = [], [], []
    for shape in config["shapes"]:
        shape = tuple(shape)
        params.append(torch.randn(shape, generator=generator, dtype=dtype).requires_grad_(True))
        targets.append(torch.randn(shape, generator=generator, dtype=dtype) * 2)
        exponent = low + (high - low) * torch.rand(shape, generator=generator, dtype=dtype)
        curvatures.append(10.0 ** exponent)
    return params, targets, curvatures


def set_gradients(params: list[torch.Tensor], targets: list, curvatures: list, step: int, config: dict) -> None:
    """Gradients of Σ c·(p − t)² plus a small step-dependent drift; None where the config says so."""
    missing = config.get("missing_grads", {})
    for i, (p, t, c) in enumerate(zip(params, targets, curvatures)):
        if step in missing.get(str(i), ()):
            p.grad = None
        else:
            drift = 0.1 * math.sin(1.0 + step)
            p.grad = (2 * c * (p.detach() - t) + drift * c).clone()


@probe
def ex11_momentum_run(module: Any, config: dict) -> dict:
    """Call sgd_momentum_step config["steps"] times; return the trajectory of the original parameter tensors."""
    params, targets, curvatures = quadratic_problem(config)
    velocities = [torch.zeros_like(p, requires_grad=False) for p in params]
    first_velocities = list(velocities)
    trajectory, replaced_params = [], False
    for step in range(config["steps"]):
        set_gradients(params, targets, curvatures, step, config)
        given = list(params)
        module.sgd_momentum_step(given, velocities, config["lr"], config["momentum"])
        replaced_params = replaced_params or any(a is not b for a, b in zip(given, params))
        trajectory.append([p.detach().clone() for p in params])
    return {
        "trajectory": trajectory,
        "velocities": [v.detach().clone() if isinstance(v, torch.Tensor) else v for v in velocities],
        "replaced_params": replaced_params,
        "replaced_velocities": any(a is not b for a, b in zip(velocities, first_velocities)),
        "leaf": all(p.is_leaf and p.requires_grad for p in params),
    }


@probe
def ex11_adam_run(module: Any, config: dict) -> dict:
    """Call adam_step config["steps"] times with the config's hyper-parameters; return trajectory and state."""
    params, targets, curvatures = quadratic_problem(config)
    state = {"step": 0, "m": [torch.zeros_like(p) for p in params], "v": [torch.zeros_like(p) for p in params]}
    first_m, first_v = list(state["m"]), list(state["v"])
    kwargs = {k: (tuple(config[k]) if k == "betas" else config[k]) for k in ("lr", "betas", "eps") if k in config}
    trajectory, replaced_params = [], False
    for step in range(config["steps"]):
        set_gradients(params, targets, curvatures, step, config)
        given = list(params)
        module.adam_step(given, state, **kwargs)
        replaced_params = replaced_params or any(a is not b for a, b in zip(given, params))
        trajectory.append([p.detach().clone() for p in params])
    m, v = state.get("m", []), state.get("v", [])
    return {
        "trajectory": trajectory,
        "step": state.get("step"),
        "m": [t.detach().clone() if isinstance(t, torch.Tensor) else t for t in m],
        "v": [t.detach().clone() if isinstance(t, torch.Tensor) else t for t in v],
        "replaced_params": replaced_params,
        "replaced_state": any(a is not b for a, b in zip(list(m) + list(v), first_m + first_v)),
        "leaf": all(p.is_leaf and p.requires_grad for p in params),
    }


def torch_optim_run(kind: str, config: dict) -> dict:
    """The same run with torch.optim.SGD(momentum=...) or torch.optim.Adam (trusted side only)."""
    params, targets, curvatures = quadratic_problem(config)
    if kind == "momentum":
        optimizer = torch.optim.SGD(params, lr=config["lr"], momentum=config["momentum"])
    else:
        kwargs = {k: (tuple(config[k]) if k == "betas" else config[k]) for k in ("lr", "betas", "eps") if k in config}
        optimizer = torch.optim.Adam(params, **kwargs)
    trajectory = []
    for step in range(config["steps"]):
        set_gradients(params, targets, curvatures, step, config)
        optimizer.step()
        trajectory.append([p.detach().clone() for p in params])
    result: dict = {"trajectory": trajectory}

    def buffer(p, key):
        found = optimizer.state.get(p, {}).get(key)
        return torch.zeros_like(p).detach() if found is None else found.detach().clone()

    if kind == "momentum":
        result["velocities"] = [buffer(p, "momentum_buffer") for p in params]
    else:
        result["m"] = [buffer(p, "exp_avg") for p in params]
        result["v"] = [buffer(p, "exp_avg_sq") for p in params]
        result["step"] = config["steps"]
    return result
