"""Worker-side record of which torch functions learner code reached, however it reached them.

Two layers watch a monitored call, and each checks that the other is still in place:

- `CallRecorder`, a TorchFunctionMode, sees the public API as the learner wrote it (`F.mse_loss`,
  `nn.MSELoss()`, `Tensor.backward`, `torch.special.expit` ...).
- `OperatorRecorder`, a TorchDispatchMode under it, sees every operator that actually runs,
  however it was reached: `torch.ops.aten.mse_loss.default(...)`, calls inside
  `torch._C.DisableTorchFunction()`, TorchScript functions, and the kernels the autograd engine
  runs (recognised by the engine's current graph task, so a direct
  `Variable._execution_engine.run_backward` is seen too).

Both layers look for torch.optim / torch.autograd frames on the Python stack between the
operation and the kit's own frames (worker, probes), so an optimizer stepping with torch
functions switched off, or under a mode of the learner's, is still seen. Names are normalised
(`aten::mse_loss.default` → `mse_loss`, `_softmax` → `softmax`, `special_expit` → `expit`,
`nll_loss_forward` → `nll_loss` as well).

A learner can reach into the worker's interpreter, so the recorder also says when it was
interfered with: popped from the mode stacks, replaced there, disabled, or its class, methods or
code objects swapped. The summary then carries `"tampered"`, a plain sentence for the trusted
side; modified methods are put back and both mode stacks are restored to what they were before
the call, so the worker's next call is recorded again. The references this needs are taken when
this module is imported, in the zygote, before any learner module exists.

Not seen (the kernel-level layers, not this module, have to stop these): work done in another
thread or process, and a window in which the learner switches both layers off at once
(`DisableTorchFunction` together with `_DisableTorchDispatch`, or both modes popped and pushed
back) — in-process recording stops accidents, not intent.
"""

from __future__ import annotations

import os
import sys

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

_TORCH_DIR = os.path.dirname(torch.__file__)
_OPTIM_DIR = os.path.join(_TORCH_DIR, "optim") + os.sep
_AUTOGRAD_FILES = frozenset({
    os.path.join(_TORCH_DIR, "autograd", "__init__.py"),
    os.path.join(_TORCH_DIR, "autograd", "functional.py"),
})

# Only the kit's own files end a stack scan. A learner's frames can sit between torch.optim and an
# operator (its own TorchFunctionMode or TorchDispatchMode, a closure, a hook), so they don't.
_KIT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

SWITCHED_OFF = "the call recorder was switched off"
MODIFIED = "the call recorder was modified"

# Captured now, before learner code can replace them in torch's modules.
_getframe = sys._getframe
_graph_task_id = torch._C._current_graph_task_id
_len_function_stack = torch._C._len_torch_function_stack
_function_mode_at = torch._C._get_function_stack_at
_push_function_mode = torch._C._push_on_torch_function_stack
_pop_function_mode = torch._C._pop_torch_function_stack
_len_dispatch_stack = torch._C._len_torch_dispatch_stack
_dispatch_mode_at = torch._C._get_dispatch_stack_at
_push_dispatch_mode = torch._C._push_on_torch_dispatch_stack
_pop_dispatch_mode = torch._C._pop_torch_dispatch_stack
_key_excluded = torch._C._dispatch_tls_is_dispatch_key_excluded
_PYTHON_KEY = torch._C.DispatchKey.Python
_dispatch_enter = TorchDispatchMode.__enter__
_dispatch_exit = TorchDispatchMode.__exit__


def normalise(name: str) -> str:
    """`aten::mse_loss.default` → `mse_loss`; `__add__` → `add`; `special_expit` → `expit`."""
    return name.rpartition("::")[2].partition(".")[0].strip("_").removeprefix("special_")


def _names(name: str) -> tuple[str, ...]:
    bare = normalise(name)
    # operators that a public function decomposes into: log_sigmoid_forward, nll_loss_forward
    stem = bare.removesuffix("_forward")
    return (bare, stem) if stem != bare and stem else (bare,)


def _in_stack(mode: object, length, mode_at) -> bool:
    index = length() - 1  # from the top, where the other layer's mode normally is
    while index >= 0:
        if mode_at(index) is mode:
            return True
        index -= 1
    return False


class CallRecorder(TorchFunctionMode):
    """Sees every torch function call (F.mse_loss, nn.MSELoss(), Tensor.backward, torch.special...),
    and with its OperatorRecorder every operator, however it was reached."""

    def __init__(self, boundary: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.operators: set = set()
        self.used_optim = False
        self.used_autograd = False
        self.tampered: str | None = None
        # trusted frames (worker, probes) end the scan: what they call torch.optim through is below them
        self._boundary = frozenset(name for name in boundary if name.startswith(_KIT_DIR))
        self._inside = 0  # > 0 while this mode runs a function (it is off the stack then)
        self._entered = False
        self._stack_lengths = (0, 0)
        self._dispatch = OperatorRecorder(self)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", None)
        if name is not None:
            self.names.add(name)
        if not (self.used_optim and self.used_autograd):
            self._scan_stack(_getframe(1))
        operators = self._dispatch
        if self.tampered is None and operators._inside == 0:
            top = _len_dispatch_stack() - 1  # the operator layer is normally on top of its stack
            if top < 0 or _dispatch_mode_at(top) is not operators or _key_excluded(_PYTHON_KEY):
                if _key_excluded(_PYTHON_KEY) or not _in_stack(operators, _len_dispatch_stack, _dispatch_mode_at):
                    self.tampered = SWITCHED_OFF
        self._inside += 1
        try:
            return func(*args, **(kwargs or {}))
        finally:
            self._inside -= 1

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

    def __enter__(self):
        self._stack_lengths = (_len_function_stack(), _len_dispatch_stack())
        self._entered = True
        _push_function_mode(self)
        _dispatch_enter(self._dispatch)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        reason = _check(self, True)  # a modified recorder may also have hidden that it was switched off
        self.tampered = MODIFIED if reason == MODIFIED else self.tampered or reason
        if reason == MODIFIED:
            _repair(self)  # the originals back, so summary() and later calls are the kit's again
        functions, dispatches = self._stack_lengths
        # Leave both stacks as they were before the call, whatever the learner pushed or popped.
        while _len_dispatch_stack() > dispatches:
            _pop_dispatch_mode(None)
        _push_dispatch_mode(self._dispatch)  # on top again, for TorchDispatchMode's own exit to pop
        _dispatch_exit(self._dispatch, exc_type, exc_value, traceback)
        while _len_function_stack() > functions:
            _pop_function_mode()
        if reason == MODIFIED and _check(self, False) is not None and exc_type is None:
            raise RecorderTampered(reason)  # could not be undone: don't let a summary vouch for the call

    def summary(self) -> dict:
        """Plain data for the trusted side: normalised names, and `tampered` when interfered with."""
        names: set[str] = set()
        for name in self.names:
            names.update(_names(name))
        for operator in self.operators:
            names.update(_names(getattr(operator, "__name__", "")))
        if self.used_optim:
            names.add("torch.optim")
        if self.used_autograd or "backward" in names:
            names.add("torch.autograd")
        result: dict = {"calls": sorted(names)}
        if self._entered:
            reason = self.tampered or _check(self, False)
            if reason:
                result["tampered"] = reason
        return result


class OperatorRecorder(TorchDispatchMode):
    """Sees every operator below the public API (and below TorchFunctionMode's reach)."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False  # no per-operator dynamo-disabling wrapper around __torch_dispatch__

    def __init__(self, owner: CallRecorder) -> None:
        super().__init__()
        self._owner = owner
        self._inside = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        owner = self._owner
        owner.operators.add(func)
        if not owner.used_autograd and _graph_task_id() != -1:
            owner.used_autograd = True  # the autograd engine is running this operator
        if not (owner.used_optim and owner.used_autograd):
            owner._scan_stack(_getframe(1))
        if owner._inside == 0 and owner.tampered is None:
            top = _len_function_stack() - 1  # the function layer is normally on top of its stack
            if (top < 0 or _function_mode_at(top) is not owner) and not _in_stack(
                    owner, _len_function_stack, _function_mode_at):
                owner.tampered = SWITCHED_OFF
        self._inside += 1
        try:
            return func(*args, **(kwargs or {}))
        finally:
            self._inside -= 1


class RecorderTampered(Exception):
    """Raised in place of a summary that can no longer be trusted."""


def _snapshot() -> tuple:
    """Every function the recording relies on, with its code object, as imported."""
    entries = []
    for owner in (CallRecorder, OperatorRecorder):
        for attribute, value in vars(owner).items():
            function = getattr(value, "__func__", value)
            code = getattr(function, "__code__", None)
            if code is not None:
                entries.append((owner, attribute, value, function, code))
    module = sys.modules[__name__]
    for attribute in ("normalise", "_names", "_in_stack"):
        function = getattr(module, attribute)
        entries.append((module, attribute, function, function, function.__code__))
    return tuple(entries)


def _make_check(entries: tuple, recorder_class: type, operator_class: type):
    own = frozenset(attribute for owner, attribute, *_ in entries if owner is recorder_class)
    own_operator = frozenset(attribute for owner, attribute, *_ in entries if owner is operator_class)
    read_dict = type.__dict__["__dict__"].__get__
    read_instance = object.__getattribute__
    set_class = object.__setattr__
    set_attribute = setattr

    def check(recorder, live: bool) -> str | None:
        """Why the recording can't be trusted, or None; `live`: the modes should be on their stacks."""
        if type(recorder) is not recorder_class:
            return MODIFIED
        operators = read_instance(recorder, "_dispatch")
        if type(operators) is not operator_class or read_instance(operators, "_owner") is not recorder:
            return MODIFIED
        if own & read_instance(recorder, "__dict__").keys() or own_operator & read_instance(operators, "__dict__").keys():
            return MODIFIED  # an instance attribute shadowing a method
        for owner, attribute, value, function, code in entries:
            namespace = read_dict(owner) if isinstance(owner, type) else read_instance(owner, "__dict__")
            if namespace.get(attribute) is not value or function.__code__ is not code:
                return MODIFIED
        if not live:
            return None
        if not _in_stack(recorder, _len_function_stack, _function_mode_at):
            return SWITCHED_OFF
        if not _in_stack(operators, _len_dispatch_stack, _dispatch_mode_at) or _key_excluded(_PYTHON_KEY):
            return SWITCHED_OFF
        return None

    def repair(recorder) -> None:
        """Put back every class, method and code object the check compares (best effort)."""
        try:
            if type(recorder) is not recorder_class:
                set_class(recorder, "__class__", recorder_class)
            operators = read_instance(recorder, "_dispatch")
            if type(operators) is not operator_class:
                set_class(operators, "__class__", operator_class)
            for instance, names in ((recorder, own), (operators, own_operator)):
                namespace = read_instance(instance, "__dict__")
                for name in names & namespace.keys():
                    del namespace[name]
            for owner, attribute, value, function, code in entries:
                if function.__code__ is not code:
                    function.__code__ = code
                namespace = read_dict(owner) if isinstance(owner, type) else read_instance(owner, "__dict__")
                if namespace.get(attribute) is not value:
                    set_attribute(owner, attribute, value)
        except Exception:  # noqa: BLE001 - __exit__ then refuses to vouch for the call
            pass

    return check, repair


_check, _repair = _make_check(_snapshot(), CallRecorder, OperatorRecorder)
