"""Worker-side record of which torch functions learner code reached, however it reached them."""

from __future__ import annotations

import os
import sys

import torch
from torch.overrides import TorchFunctionMode

_TORCH_DIR = os.path.dirname(torch.__file__)
_OPTIM_DIR = os.path.join(_TORCH_DIR, "optim") + os.sep
_AUTOGRAD_FILES = (
    os.path.join(_TORCH_DIR, "autograd", "__init__.py"),
    os.path.join(_TORCH_DIR, "autograd", "functional.py"),
)


class CallRecorder(TorchFunctionMode):
    """Sees every torch function call (F.mse_loss, nn.MSELoss(), Tensor.backward, torch.special...)."""

    def __init__(self, boundary: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.used_optim = False
        self.used_autograd = False
        self._boundary = boundary

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", None)
        if name is not None:
            self.names.add(name)
        if not (self.used_optim and self.used_autograd):
            self._scan_stack(sys._getframe(1))
        return func(*args, **(kwargs or {}))

    def _scan_stack(self, frame) -> None:
        """Look for torch.optim / torch.autograd frames between the op and the learner's own code."""
        boundary = self._boundary
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename in boundary:
                return
            if filename.startswith(_OPTIM_DIR):
                self.used_optim = True
            elif filename in _AUTOGRAD_FILES:
                self.used_autograd = True
            frame = frame.f_back

    def summary(self) -> dict:
        """Plain data for the trusted side."""
        names = set(self.names)
        if self.used_optim:
            names.add("torch.optim")
        if self.used_autograd or "backward" in names:
            names.add("torch.autograd")
        return {"calls": sorted(names)}
