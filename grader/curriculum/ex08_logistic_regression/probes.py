"""The trusted probes of ex08_logistic_regression: grader code run in the worker beside the learner's module, answering plain data."""

from __future__ import annotations

from typing import Any

import torch

from grader.probes import probe
from grader.probes.shared import UPDATES, classifier_curve, logistic_model, parameters_of, trained, training_curve_of

EXERCISE = "ex08_logistic_regression"


@probe
def ex08_train_run(module: Any, x, y, weight, bias, lr: float, epochs: int) -> dict:
    """train() on Sequential(Linear, Sigmoid) starting at (weight, bias): its losses and final parameters."""
    return trained(logistic_model, module, x, y, weight, bias, lr, epochs)


@probe
def ex08_predict_run(module: Any, x, weight, bias, threshold: float | None = None,
                     threshold_row: int | None = None) -> Any:
    """predict() with a model at (weight, bias); the threshold given, the default, or exactly row `threshold_row`'s probability."""
    model = logistic_model(weight, bias)
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
        return parameters_of(module.build_model(in_features))


@probe
def ex08_seed_figures(module: Any, x, y, x_test, seed: int, lr: float, epochs: int) -> dict:
    """The classic run: seed, build_model(1), train, then the probabilities and classes for x_test."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = module.build_model(x.shape[1])
    module.train(model, x, y, lr, epochs)
    with torch.no_grad():
        probabilities = model(x_test).detach().clone()
    return {"parameters": parameters_of(model), "probabilities": probabilities, "classes": module.predict(model, x_test)}


@training_curve_of(EXERCISE, [("train", {"seed": 8, "n": 12, "lr": 0.5, "updates": UPDATES})])
def curve(module: Any, function: str, config: dict) -> dict:
    """The run `grade run ex08 --plot` draws, the learner's and the reference's alike."""
    return classifier_curve(module, config, 2)
