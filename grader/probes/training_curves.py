"""The training curves `grade run EXERCISE --plot` draws (ex04-ex11).

`training_curve` runs an exercise's training function on small fixed data inside the worker and
returns, per update, the loss and (where the exercise has scalar parameters) W and b, as plain
lists of floats. The oracle runs the same probe on the reference, so both curves come from the
same data and the same steps.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from grader.probes import probe

UPDATES = 20  # updates per curve: few enough to see each one, enough to see a trend

# exercise -> [(function the curve exercises, config)]; ex11 draws one curve per optimizer
CURVES: dict[str, list[tuple[str, dict]]] = {
    "ex04_gradient_descent": [("fit", {"seed": 4, "n": 8, "lr": 0.1, "updates": UPDATES})],
    "ex05_autograd": [("fit_autograd", {"seed": 5, "n": 8, "lr": 0.1, "updates": UPDATES})],
    "ex06_zero_grad": [("train_step", {"seed": 6, "n": 8, "lr": 0.1, "updates": UPDATES})],
    "ex07_linear_regression": [("train", {"seed": 7, "n": 8, "lr": 0.1, "updates": UPDATES})],
    "ex08_logistic_regression": [("train", {"seed": 8, "n": 12, "lr": 0.5, "updates": UPDATES})],
    "ex09_softmax_classifier": [("train", {"seed": 9, "n": 12, "classes": 3, "lr": 0.5, "updates": UPDATES})],
    "ex10_minibatch": [("train", {"seed": 10, "n": 12, "batch_size": 4, "lr": 0.05, "epochs": 5})],
    "ex11_optimizers": [("sgd_momentum_step", {"seed": 11, "lr": 0.05, "momentum": 0.9, "updates": UPDATES}),
                        ("adam_step", {"seed": 11, "lr": 0.2, "updates": UPDATES})],
}


def _float(value: Any, what: str) -> float:
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise TypeError(f"{what} should be a single number, got a tensor of shape {tuple(value.shape)}")
        return float(value.detach().reshape(-1)[0])
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"{what} should be a number, got {type(value).__name__}")


def _floats(values: Any, what: str) -> list[float]:
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"{what} should be a list of numbers, got {type(values).__name__}")
    return [_float(v, what) for v in values]


def _line(config: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """x (n, 1) and y ≈ 2x + 1 with a little noise, float32, from the config's seed."""
    generator = torch.Generator().manual_seed(config["seed"])
    x = torch.randn(config["n"], 1, generator=generator)
    return x, 2 * x + 1 + 0.1 * torch.randn(config["n"], 1, generator=generator)


def _fit_curve(function, x: torch.Tensor, y: torch.Tensor, lr: float, updates: int) -> dict:
    """fit/train(x, y, lr, epochs) -> (W, b, costs): costs of one run, W and b after k updates for k = 1..updates."""
    _, _, costs = function(x, y, lr, updates)
    ws, bs = [], []
    for k in range(1, updates + 1):
        W, b, _ = function(x, y, lr, k)
        ws.append(_float(W, "W"))
        bs.append(_float(b, "b"))
    return {"loss": _floats(costs, "the costs"), "W": ws, "b": bs}


def _ex05(module: Any, config: dict) -> dict:
    x, y = _line(config)
    zero = torch.zeros(1)
    result = module.fit_autograd(x, y, zero, zero.clone(), config["lr"], config["updates"])
    if not isinstance(result, dict):
        raise TypeError(f"fit_autograd() should return a dict, got {type(result).__name__}")
    return {"loss": _floats(result.get("losses"), "losses"), "W": _floats(result.get("ws"), "ws"),
            "b": _floats(result.get("bs"), "bs")}


def _ex06(module: Any, config: dict) -> dict:
    x, y = _line(config)
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=config["lr"])
    curve: dict = {"loss": [], "W": [], "b": []}
    for _ in range(config["updates"]):
        curve["loss"].append(_float(module.train_step(W, b, optimizer, x, y), "train_step()'s cost"))
        curve["W"].append(float(W.detach().reshape(-1)[0]))
        curve["b"].append(float(b.detach().reshape(-1)[0]))
    return curve


def _classifier(config: dict, classes: int) -> tuple[torch.Tensor, torch.Tensor, nn.Sequential]:
    generator = torch.Generator().manual_seed(config["seed"])
    x = torch.randn(config["n"], 1 if classes == 2 else 2, generator=generator)
    if classes == 2:
        y = (x[:, :1] + 0.5 * torch.randn(config["n"], 1, generator=generator) > 0).float()
        model = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid())
    else:
        y = torch.randint(0, classes, (config["n"],), generator=generator)
        model = nn.Sequential(nn.Linear(2, classes))
    with torch.no_grad():
        model[0].weight.copy_(0.1 * torch.randn(model[0].weight.shape, generator=generator))
        model[0].bias.zero_()
    return x, y, model


def _ex08_ex09(module: Any, config: dict, classes: int) -> dict:
    x, y, model = _classifier(config, classes)
    curve = {"loss": _floats(module.train(model, x, y, config["lr"], config["updates"]), "train()'s losses")}
    if classes == 2:  # one weight, one bias: W and b over updates (the model after train(epochs=k))
        curve["W"], curve["b"] = [], []
        for k in range(1, config["updates"] + 1):
            _, _, fresh = _classifier(config, classes)
            module.train(fresh, x, y, config["lr"], k)
            curve["W"].append(float(fresh[0].weight.detach().reshape(-1)[0]))
            curve["b"].append(float(fresh[0].bias.detach().reshape(-1)[0]))
    return curve


def _ex10(module: Any, config: dict) -> dict:
    from grader.probes.batches_and_optimizers import train_problem

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


def _ex11(module: Any, function: str, config: dict) -> dict:
    from grader.probes.batches_and_optimizers import quadratic_problem, set_gradients

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


@probe
def training_curve(module: Any, exercise: str, function: str, config: dict) -> dict:
    """The learner's (or the reference's) training run on fixed data: {"loss": [...], "W": [...], "b": [...]}
    per update (W and b only where the exercise has one weight and one bias)."""
    if exercise in ("ex04_gradient_descent", "ex07_linear_regression"):
        x, y = _line(config)
        curve = _fit_curve(getattr(module, function), x, y, config["lr"], config["updates"])
    elif exercise == "ex05_autograd":
        curve = _ex05(module, config)
    elif exercise == "ex06_zero_grad":
        curve = _ex06(module, config)
    elif exercise == "ex08_logistic_regression":
        curve = _ex08_ex09(module, config, 2)
    elif exercise == "ex09_softmax_classifier":
        curve = _ex08_ex09(module, config, config["classes"])
    elif exercise == "ex10_minibatch":
        curve = _ex10(module, config)
    elif exercise == "ex11_optimizers":
        curve = _ex11(module, function, config)
    else:
        raise ValueError(f"no training curve for {exercise}")
    return {key: [v if math.isfinite(v) else float("nan") for v in values] for key, values in curve.items()}
