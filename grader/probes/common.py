"""Probes shared by every exercise."""

from __future__ import annotations

from typing import Any

import torch

from grader.probes import probe


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
