"""The trusted probes of ex09_softmax_classifier: grader code run in the worker beside the learner's module, answering plain data."""

from __future__ import annotations

from typing import Any

import torch

from grader.probes import probe
from grader.probes.shared import UPDATES, classifier_curve, softmax_model, trained, training_curve_of

EXERCISE = "ex09_softmax_classifier"


@probe
def ex09_train_run(module: Any, x, y, weight, bias, lr: float, epochs: int) -> dict:
    """train() on Sequential(Linear) starting at (weight, bias): its losses and final parameters."""
    return trained(softmax_model, module, x, y, weight, bias, lr, epochs)


@probe
def ex09_model_output(module: Any, function: str, x, weight, bias) -> Any:
    """predict_proba / predict with a logits model at (weight, bias)."""
    return getattr(module, function)(softmax_model(weight, bias), x)


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


@training_curve_of(EXERCISE, [("train", {"seed": 9, "n": 12, "classes": 3, "lr": 0.5, "updates": UPDATES})])
def curve(module: Any, function: str, config: dict) -> dict:
    """The run `grade run ex09 --plot` draws, the learner's and the reference's alike."""
    return classifier_curve(module, config, config["classes"])
