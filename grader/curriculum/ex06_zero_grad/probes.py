"""The trusted probes of ex06_zero_grad: grader code run in the worker beside the learner's module, answering plain data."""

from __future__ import annotations

from typing import Any

import torch

from grader.probes import probe
from grader.probes.shared import UPDATES, LoopSpy, as_float, line_data, optimizer_of, training_curve_of

EXERCISE = "ex06_zero_grad"


@probe
def ex06_train_steps(module: Any, x: torch.Tensor, y: torch.Tensor, W0: torch.Tensor, b0: torch.Tensor,
                     stale: tuple | None, optimizer: str, lr: float, calls: int) -> dict:
    """Build leaf W, b and an optimizer over [W, b] here, optionally with stale .grad, then call
    train_step `calls` times; return the returned costs and W, b after every call."""
    W = W0.detach().clone().requires_grad_(True)
    b = b0.detach().clone().requires_grad_(True)
    if stale is not None:
        W.grad, b.grad = stale[0].clone(), stale[1].clone()
    opt = optimizer_of(optimizer, [W, b], lr)
    costs, ws, bs = [], [], []
    with LoopSpy(given=opt) as spy:
        for _ in range(calls):
            costs.append(module.train_step(W, b, opt, x, y))
            ws.append(W.detach().clone())
            bs.append(b.detach().clone())
    return {"costs": costs, "W": ws, "b": bs, "steps": spy.steps}


@training_curve_of(EXERCISE, [("train_step", {"seed": 6, "n": 8, "lr": 0.1, "updates": UPDATES})])
def curve(module: Any, function: str, config: dict) -> dict:
    """The run `grade run ex06 --plot` draws, the learner's and the reference's alike."""
    x, y = line_data(config)
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=config["lr"])
    curve: dict = {"loss": [], "W": [], "b": []}
    for _ in range(config["updates"]):
        curve["loss"].append(as_float(module.train_step(W, b, optimizer, x, y), "train_step()'s cost"))
        curve["W"].append(float(W.detach().reshape(-1)[0]))
        curve["b"].append(float(b.detach().reshape(-1)[0]))
    return curve
