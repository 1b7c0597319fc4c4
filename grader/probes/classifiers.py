"""Probes for ex08 (logistic regression) and ex09 (softmax classifier).

The models the probes train and query are built here, from weights the check chooses, so a
bug in the learner's build_model cannot leak into the checks of train / predict. Seeded runs
happen inside torch.random.fork_rng(), so they leave the process's global generator as it was.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from grader.probes import probe


def _logistic_model(weight: torch.Tensor, bias: torch.Tensor) -> nn.Sequential:
    model = nn.Sequential(nn.Linear(weight.shape[1], 1), nn.Sigmoid())
    _load(model[0], weight, bias)
    return model


def _softmax_model(weight: torch.Tensor, bias: torch.Tensor) -> nn.Sequential:
    model = nn.Sequential(nn.Linear(weight.shape[1], weight.shape[0]))
    _load(model[0], weight, bias)
    return model


def _load(linear: nn.Linear, weight: torch.Tensor, bias: torch.Tensor) -> None:
    with torch.no_grad():
        linear.weight.copy_(weight)
        linear.bias.copy_(bias)


def _state(model: nn.Module) -> dict:
    linear = model[0]
    return {"weight": linear.weight.detach().clone(), "bias": linear.bias.detach().clone()}


def _parameters(model: Any) -> list:
    """The learner model's parameters, detached (an empty list for something that is not a module)."""
    if not isinstance(model, nn.Module):
        return []
    return [p.detach().clone() for p in model.parameters()]


def _trained(build, module: Any, x, y, weight, bias, lr: float, epochs: int) -> dict:
    model = build(weight, bias)
    losses = module.train(model, x, y, lr, epochs)
    return {"losses": losses, **_state(model)}


# ex08 ----------------------------------------------------------------------------------------
@probe
def ex08_train_run(module: Any, x, y, weight, bias, lr: float, epochs: int) -> dict:
    """train() on Sequential(Linear, Sigmoid) starting at (weight, bias): its losses and final parameters."""
    return _trained(_logistic_model, module, x, y, weight, bias, lr, epochs)


@probe
def ex08_predict_run(module: Any, x, weight, bias, threshold: float | None = None,
                     threshold_row: int | None = None) -> Any:
    """predict() with a model at (weight, bias); the threshold given, the default, or exactly row `threshold_row`'s probability."""
    model = _logistic_model(weight, bias)
    if threshold_row is not None:
        with torch.no_grad():
            threshold = model(x)[threshold_row, 0].item()
    if threshold is None:
        return module.predict(model, x)
    return module.predict(model, x, threshold)


@probe
def ex08_seeded_model(module: Any, seed: int, in_features: int) -> list:
    """build_model(in_features) right after torch.manual_seed(seed): its parameters."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return _parameters(module.build_model(in_features))


@probe
def ex08_seed_figures(module: Any, x, y, x_test, seed: int, lr: float, epochs: int) -> dict:
    """The classic run: seed, build_model(1), train, then the probabilities and classes for x_test."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = module.build_model(x.shape[1])
    module.train(model, x, y, lr, epochs)
    with torch.no_grad():
        probabilities = model(x_test).detach().clone()
    return {"parameters": _parameters(model), "probabilities": probabilities, "classes": module.predict(model, x_test)}


# ex09 ----------------------------------------------------------------------------------------
@probe
def ex09_train_run(module: Any, x, y, weight, bias, lr: float, epochs: int) -> dict:
    """train() on Sequential(Linear) starting at (weight, bias): its losses and final parameters."""
    return _trained(_softmax_model, module, x, y, weight, bias, lr, epochs)


@probe
def ex09_model_output(module: Any, function: str, x, weight, bias) -> Any:
    """predict_proba / predict with a logits model at (weight, bias)."""
    return getattr(module, function)(_softmax_model(weight, bias), x)


@probe
def ex09_softmax_gradient(module: Any, z, dim: int, weights) -> dict:
    """Backpropagate sum(softmax(z, dim) * weights) (a plain sum would be constant): the gradient reaching z."""
    z = z.clone().requires_grad_(True)
    out = module.softmax(z, dim)
    connected = isinstance(out, torch.Tensor) and out.requires_grad and out.grad_fn is not None
    if connected:
        (out * weights).sum().backward()
    return {"connected": bool(connected), "grad": z.grad}


@probe
def ex09_seed_predictions(module: Any, x, y, x_test, seeds: list, lr: float, epochs: int) -> list:
    """The classic run for each seed: seed, build_model, train, predict(x_test)."""
    found = []
    for seed in seeds:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            model = module.build_model(x.shape[1], int(y.max()) + 1)
        module.train(model, x, y, lr, epochs)
        found.append(module.predict(model, x_test))
    return found
