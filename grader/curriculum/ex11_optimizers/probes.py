"""The trusted probes of ex11_optimizers: grader code run in the worker beside the learner's module, answering plain data."""

from __future__ import annotations

import math
from typing import Any

import torch

from grader.probes import probe
from grader.probes.shared import DTYPES, UPDATES, training_curve_of

EXERCISE = "ex11_optimizers"


def quadratic_problem(config: dict) -> tuple[list[torch.Tensor], list[torch.Tensor], list[torch.Tensor]]:
    """Initial parameters (leaf, requiring grad), targets and per-element curvatures."""
    dtype = DTYPES[config.get("dtype", "float32")]
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


@training_curve_of(EXERCISE, [("sgd_momentum_step", {"seed": 11, "lr": 0.05, "momentum": 0.9, "updates": UPDATES}),
                    ("adam_step", {"seed": 11, "lr": 0.2, "updates": UPDATES})])
def curve(module: Any, function: str, config: dict) -> dict:
    """The run `grade run ex11 --plot` draws, the learner's and the reference's alike."""
    problem = {"seed": config["seed"], "shapes": [[1], [1]]}
    params, targets, curvatures = quadratic_problem(problem)
    if function == "sgd_momentum_step":
        velocities = [torch.zeros_like(p) for p in params]
        step = lambda: module.sgd_momentum_step(params, velocities, config["lr"], config["momentum"])  # noqa: E731
    else:
        state = {"step": 0, "m": [torch.zeros_like(p) for p in params], "v": [torch.zeros_like(p) for p in params]}
        step = lambda: module.adam_step(params, state, lr=config["lr"])  # noqa: E731
    curve: dict = {"loss": [], "W": [], "b": []}
    for k in range(config["updates"]):
        with torch.no_grad():
            curve["loss"].append(float(sum((c * (p - t) ** 2).sum() for p, t, c in zip(params, targets, curvatures))))
        set_gradients(params, targets, curvatures, k, problem)
        step()
        curve["W"].append(float(params[0].detach().reshape(-1)[0]))
        curve["b"].append(float(params[1].detach().reshape(-1)[0]))
    return curve
