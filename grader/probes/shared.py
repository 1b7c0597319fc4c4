"""Probe helpers every exercise may use, and the probes no one exercise owns (trusted code run in the worker).

- `gradients`: call a function with some arguments requiring grad and report what reached them;
- the training-loop spy (`LoopSpy`, `frozen_loop_mistake`): what each `optimizer.step()` saw;
- model builders for classifiers whose weights the check chooses (`logistic_model`, `softmax_model`);
- training curves for `grade run --plot`: an exercise registers its own with `training_curve_of`.

What a probe records only ever *names* a mistake (hints); verdicts come from comparing results
with the reference in the trusted process.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

from grader.probes import PROBES, probe, register_probe


@probe
def gradients(module: Any, function: str, args: list, wrt: list[int], kwargs: dict | None = None) -> dict:
    """Call `function` with args[i].requires_grad_() for i in wrt, backpropagate the (summed) result.

    Returns the result's values, whether it is connected to autograd, and the gradients that
    reached each argument in `wrt` (None when none did).
    """
    args = [a.clone().requires_grad_(True) if i in wrt else a for i, a in enumerate(args)]
    out = getattr(module, function)(*args, **(kwargs or {}))
    connected = isinstance(out, torch.Tensor) and out.requires_grad and out.grad_fn is not None
    if connected:
        (out if out.dim() == 0 else out.sum()).backward()
    return {
        "value": out.detach() if isinstance(out, torch.Tensor) else out,
        "connected": bool(connected),
        "grads": [args[i].grad for i in wrt],
    }


_MAX_NODES = 10_000


_MAX_STEPS = 10_000


def leaves(tensors: Any) -> set[int]:
    """ids of the leaf tensors a backward pass from `tensors` reaches."""
    if isinstance(tensors, torch.Tensor):
        tensors = (tensors,)
    found: set[int] = set()
    stack = []
    for tensor in tensors if isinstance(tensors, (tuple, list)) else ():
        if not isinstance(tensor, torch.Tensor):
            continue
        if tensor.grad_fn is None:
            if tensor.requires_grad:
                found.add(id(tensor))
        else:
            stack.append(tensor.grad_fn)
    seen: set[int] = set()
    while stack and len(seen) < _MAX_NODES:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        variable = getattr(node, "variable", None)
        if isinstance(variable, torch.Tensor):
            found.add(id(variable))
        stack.extend(next_node for next_node, _ in getattr(node, "next_functions", ()) if next_node is not None)
    return found


class LoopSpy:
    """Context manager recording, for every optimizer step, what happened since the previous one.

    `steps[i]` is a dict: `empty` (every parameter's .grad was None or zero when step() ran),
    `backward_before` (a backward pass ran since the previous step), `reached` (the latest of
    those reached at least one of the optimizer's parameters), `cleared_after_backward` (a
    zero_grad() ran after that backward pass) and `given` (it was the optimizer the probe made).
    """

    def __init__(self, given: torch.optim.Optimizer | None = None) -> None:
        self.given = given
        self.steps: list[dict] = []
        self._since: list[tuple[str, set[int]]] = []

    def __enter__(self) -> "LoopSpy":
        spy = self
        self._backward = torch.autograd.backward
        self._zero_grad = torch.optim.Optimizer.__dict__["zero_grad"]

        def backward(tensors, *args, **kwargs):
            spy._since.append(("B", leaves(tensors)))
            return spy._backward(tensors, *args, **kwargs)

        def zero_grad(optimizer, *args, **kwargs):
            spy._since.append(("Z", set()))
            return spy._zero_grad(optimizer, *args, **kwargs)

        torch.autograd.backward = backward
        torch.optim.Optimizer.zero_grad = zero_grad
        self._handle = register_optimizer_step_pre_hook(self._on_step)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._handle.remove()
        torch.autograd.backward = self._backward
        torch.optim.Optimizer.zero_grad = self._zero_grad

    def _on_step(self, optimizer, args, kwargs) -> None:
        if len(self.steps) >= _MAX_STEPS:
            return
        with torch.no_grad():
            params = [p for group in optimizer.param_groups for p in group["params"]]
            empty = all(p.grad is None or not bool(p.grad.ne(0).any()) for p in params)
        ids = {id(p) for p in params}
        backwards = [i for i, (kind, _) in enumerate(self._since) if kind == "B"]
        last = backwards[-1] if backwards else -1
        self.steps.append({
            "empty": empty,
            "backward_before": bool(backwards),
            "reached": bool(backwards) and bool(ids & self._since[last][1]),
            "cleared_after_backward": bool(backwards) and any(kind == "Z" for kind, _ in self._since[last + 1:]),
            "given": optimizer is self.given,
        })
        self._since = []


def frozen_loop_mistake(steps: list[dict]) -> str | None:
    """Name the mistake of a loop whose first step() saw no gradient at all (trusted side, hints only)."""
    if not steps or not steps[0]["empty"]:
        return None
    first = steps[0]
    if not first["backward_before"]:
        return "step_before_backward"
    if not first["reached"]:
        return "detached_forward"
    return "zero_grad_between_backward_and_step"


def optimizer_of(kind: str, params: list, lr: float) -> torch.optim.Optimizer:
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if kind == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {kind}")


def tensor_state(tensor: torch.Tensor) -> dict:
    grad = tensor.grad if tensor.is_leaf else None
    return {
        "value": tensor.detach().clone(),
        "requires_grad": bool(tensor.requires_grad),
        "grad": grad.detach().clone() if grad is not None else None,
    }


def logistic_model(weight: torch.Tensor, bias: torch.Tensor) -> nn.Sequential:
    model = nn.Sequential(nn.Linear(weight.shape[1], 1), nn.Sigmoid())
    load_linear(model[0], weight, bias)
    return model


def softmax_model(weight: torch.Tensor, bias: torch.Tensor) -> nn.Sequential:
    model = nn.Sequential(nn.Linear(weight.shape[1], weight.shape[0]))
    load_linear(model[0], weight, bias)
    return model


def load_linear(linear: nn.Linear, weight: torch.Tensor, bias: torch.Tensor) -> None:
    with torch.no_grad():
        linear.weight.copy_(weight)
        linear.bias.copy_(bias)


def model_state(model: nn.Module) -> dict:
    linear = model[0]
    return {"weight": linear.weight.detach().clone(), "bias": linear.bias.detach().clone()}


def parameters_of(model: Any) -> list:
    """The learner model's parameters, detached (an empty list for something that is not a module)."""
    if not isinstance(model, nn.Module):
        return []
    return [p.detach().clone() for p in model.parameters()]


def trained(build, module: Any, x, y, weight, bias, lr: float, epochs: int) -> dict:
    model = build(weight, bias)
    losses = module.train(model, x, y, lr, epochs)
    return {"losses": losses, **model_state(model)}


DTYPES = {"float32": torch.float32, "float64": torch.float64}


UPDATES = 20  # updates per curve: few enough to see each one, enough to see a trend


def as_float(value: Any, what: str) -> float:
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise TypeError(f"{what} should be a single number, got a tensor of shape {tuple(value.shape)}")
        return float(value.detach().reshape(-1)[0])
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"{what} should be a number, got {type(value).__name__}")


def as_floats(values: Any, what: str) -> list[float]:
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"{what} should be a list of numbers, got {type(values).__name__}")
    return [as_float(v, what) for v in values]


def line_data(config: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """x (n, 1) and y ≈ 2x + 1 with a little noise, float32, from the config's seed."""
    generator = torch.Generator().manual_seed(config["seed"])
    x = torch.randn(config["n"], 1, generator=generator)
    return x, 2 * x + 1 + 0.1 * torch.randn(config["n"], 1, generator=generator)


def fit_curve(function, x: torch.Tensor, y: torch.Tensor, lr: float, updates: int) -> dict:
    """fit/train(x, y, lr, epochs) -> (W, b, costs): costs of one run, W and b after k updates for k = 1..updates."""
    _, _, costs = function(x, y, lr, updates)
    ws, bs = [], []
    for k in range(1, updates + 1):
        W, b, _ = function(x, y, lr, k)
        ws.append(as_float(W, "W"))
        bs.append(as_float(b, "b"))
    return {"loss": as_floats(costs, "the costs"), "W": ws, "b": bs}


def classifier_problem(config: dict, classes: int) -> tuple[torch.Tensor, torch.Tensor, nn.Sequential]:
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


def classifier_curve(module: Any, config: dict, classes: int) -> dict:
    x, y, model = classifier_problem(config, classes)
    curve = {"loss": as_floats(module.train(model, x, y, config["lr"], config["updates"]), "train()'s losses")}
    if classes == 2:  # one weight, one bias: W and b over updates (the model after train(epochs=k))
        curve["W"], curve["b"] = [], []
        for k in range(1, config["updates"] + 1):
            _, _, fresh = classifier_problem(config, classes)
            module.train(fresh, x, y, config["lr"], k)
            curve["W"].append(float(fresh[0].weight.detach().reshape(-1)[0]))
            curve["b"].append(float(fresh[0].bias.detach().reshape(-1)[0]))
    return curve


CURVES: dict[str, list[tuple[str, dict]]] = {}  # exercise -> the runs `grade run --plot` draws (function, config)


def training_curve_of(exercise: str, runs: list[tuple[str, dict]]) -> Callable:
    """Register an exercise's curve, `draw(module, function, config) -> {"loss": [...], "W": [...], "b": [...]}`,
    and the runs `grade run EXERCISE --plot` draws; the draw function joins the probe registry (watched)."""

    def register(draw: Callable) -> Callable:
        register_probe(f"{exercise}.training_curve", draw)
        CURVES[exercise] = list(runs)
        return draw

    return register


@probe
def training_curve(module: Any, exercise: str, function: str, config: dict) -> dict:
    """The learner's (or the reference's) training run on fixed data: {"loss": [...], "W": [...], "b": [...]}
    per update (W and b only where the exercise has one weight and one bias)."""
    draw = PROBES.get(f"{exercise}.training_curve")
    if draw is None:
        raise ValueError(f"no training curve for {exercise}")
    curve = draw(module, function, config)
    return {key: [v if math.isfinite(v) else float("nan") for v in values] for key, values in curve.items()}
