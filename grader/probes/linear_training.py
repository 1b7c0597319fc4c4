"""Probes for ex05-ex07 (autograd, zero_grad, training with torch.optim), and the training-loop spy.

The spy watches a learner's loop from inside the worker: every `optimizer.step()` (a global
step pre-hook), every `zero_grad()` and every backward pass (which leaf tensors it reached).
What it records only ever *names* a mistake (hints); verdicts come from comparing results
with the reference in the trusted process.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

from grader.probes import probe

_MAX_NODES = 10_000
_MAX_STEPS = 10_000


def _leaves(tensors: Any) -> set[int]:
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
            spy._since.append(("B", _leaves(tensors)))
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


def _optimizer(kind: str, params: list, lr: float) -> torch.optim.Optimizer:
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if kind == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {kind}")


def _state(tensor: torch.Tensor) -> dict:
    grad = tensor.grad if tensor.is_leaf else None
    return {
        "value": tensor.detach().clone(),
        "requires_grad": bool(tensor.requires_grad),
        "grad": grad.detach().clone() if grad is not None else None,
    }


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
        found.append({"result": result, "W": _state(W_caller), "b": _state(b_caller)})
    return found


@probe
def ex06_train_steps(module: Any, x: torch.Tensor, y: torch.Tensor, W0: torch.Tensor, b0: torch.Tensor,
                     stale: tuple | None, optimizer: str, lr: float, calls: int) -> dict:
    """Build leaf W, b and an optimizer over [W, b] here, optionally with stale .grad, then call
    train_step `calls` times; return the returned costs and W, b after every call."""
    W = W0.detach().clone().requires_grad_(True)
    b = b0.detach().clone().requires_grad_(True)
    if stale is not None:
        W.grad, b.grad = stale[0].clone(), stale[1].clone()
    opt = _optimizer(optimizer, [W, b], lr)
    costs, ws, bs = [], [], []
    with LoopSpy(given=opt) as spy:
        for _ in range(calls):
            costs.append(module.train_step(W, b, opt, x, y))
            ws.append(W.detach().clone())
            bs.append(b.detach().clone())
    return {"costs": costs, "W": ws, "b": bs, "steps": spy.steps}


@probe
def ex07_loop_spy(module: Any, function: str, args: list, kwargs: dict) -> dict:
    """Run a training function under the spy; only what the spy saw comes back."""
    with LoopSpy() as spy:
        getattr(module, function)(*args, **kwargs)
    return {"steps": spy.steps}
