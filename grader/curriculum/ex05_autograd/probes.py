"""The trusted probes of ex05_autograd: grader code run in the worker beside the learner's module, answering plain data."""

from __future__ import annotations

from typing import Any

import torch

from grader.probes import probe
from grader.probes.shared import UPDATES, as_floats, line_data, tensor_state, training_curve_of

EXERCISE = "ex05_autograd"


@probe
def ex05_caller_state(module: Any, x: torch.Tensor, y: torch.Tensor, W: torch.Tensor, b: torch.Tensor,
                      cases: list) -> list:
    """Call autograd_gradients on caller-owned W, b for each (requires_grad, stale grads or None) case.

    Returns, per case, the result and the state of the caller's W and b afterwards (values,
    requires_grad, .grad): a stale .grad set here, inside the worker, is what a caller would have.
    """
    found = []
    for requires_grad, stale in cases:
        W_caller = W.detach().clone().requires_grad_(requires_grad)
        b_caller = b.detach().clone().requires_grad_(requires_grad)
        if stale is not None:
            W_caller.grad, b_caller.grad = stale[0].clone(), stale[1].clone()
        result = module.autograd_gradients(x, y, W_caller, b_caller)
        found.append({"result": result, "W": tensor_state(W_caller), "b": tensor_state(b_caller)})
    return found


@training_curve_of(EXERCISE, [("fit_autograd", {"seed": 5, "n": 8, "lr": 0.1, "updates": UPDATES})])
def curve(module: Any, function: str, config: dict) -> dict:
    """The run `grade run ex05 --plot` draws, the learner's and the reference's alike."""
    x, y = line_data(config)
    zero = torch.zeros(1)
    result = module.fit_autograd(x, y, zero, zero.clone(), config["lr"], config["updates"])
    if not isinstance(result, dict):
        raise TypeError(f"fit_autograd() should return a dict, got {type(result).__name__}")
    return {"loss": as_floats(result.get("losses"), "losses"), "W": as_floats(result.get("ws"), "ws"),
            "b": as_floats(result.get("bs"), "bs")}
