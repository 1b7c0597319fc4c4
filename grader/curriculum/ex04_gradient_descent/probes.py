"""The trusted probes of ex04_gradient_descent: grader code run in the worker beside the learner's module, answering plain data."""

from __future__ import annotations

from typing import Any

from grader.probes.shared import UPDATES, fit_curve, line_data, training_curve_of

EXERCISE = "ex04_gradient_descent"


@training_curve_of(EXERCISE, [("fit", {"seed": 4, "n": 8, "lr": 0.1, "updates": UPDATES})])
def curve(module: Any, function: str, config: dict) -> dict:
    """The run `grade run ex04 --plot` draws, the learner's and the reference's alike."""
    x, y = line_data(config)
    return fit_curve(getattr(module, function), x, y, config["lr"], config["updates"])
