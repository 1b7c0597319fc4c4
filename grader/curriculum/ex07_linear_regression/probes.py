"""The trusted probes of ex07_linear_regression: grader code run in the worker beside the learner's module, answering plain data."""

from __future__ import annotations

from typing import Any

from grader.probes import probe
from grader.probes.shared import UPDATES, LoopSpy, fit_curve, line_data, training_curve_of

EXERCISE = "ex07_linear_regression"


@probe
def ex07_loop_spy(module: Any, function: str, args: list, kwargs: dict) -> dict:
    """Run a training function under the spy; only what the spy saw comes back."""
    with LoopSpy() as spy:
        getattr(module, function)(*args, **kwargs)
    return {"steps": spy.steps}


@training_curve_of(EXERCISE, [("train", {"seed": 7, "n": 8, "lr": 0.1, "updates": UPDATES})])
def curve(module: Any, function: str, config: dict) -> dict:
    """The run `grade run ex07 --plot` draws, the learner's and the reference's alike."""
    x, y = line_data(config)
    return fit_curve(getattr(module, function), x, y, config["lr"], config["updates"])
