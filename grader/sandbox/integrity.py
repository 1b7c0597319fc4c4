"""A snapshot of the code the worker's observations rely on, taken before the learner's module loads.

Probes, the encoder and the reply path run in the worker beside learner code, which could swap
a function's code, replace the probe registry, shadow a builtin in one of the grader's modules,
or make a torch function lie to a probe, to forge an observation. The worker compares the
snapshot around every request and reports tampering instead of a result. In-process checks
raise the cost of forgery; they are not the boundary (the OS layers are, see docs/security.md).
"""

from __future__ import annotations

import builtins
import types
from operator import attrgetter, is_
from typing import Any, Callable

from grader.sandbox import dictversion

_FUNCTION_STATE = ("__code__", "__defaults__", "__kwdefaults__", "__closure__", "__globals__")


def _functions_of(owner: Any) -> dict[str, Callable]:
    found = {}
    for name, value in vars(owner).items():
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if isinstance(value, types.FunctionType):
            found[f"{getattr(owner, '__name__', owner)}.{name}"] = value
    return found


def _namespace(owner: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(owner).items() if not name.startswith("__")}


class Snapshot:
    """Identity of every watched function's code, defaults and closure, and of watched namespaces.

    `owned` namespaces (the grader's worker-side modules and classes) must not change at all, not
    even by an added name (a global `list` shadows the builtin). `library` namespaces (builtins,
    torch's) must keep every name they had; they may gain names (torch loads submodules lazily).
    """

    def __init__(self, owned: list[Any], library: list[Any], registry: dict[str, Callable]) -> None:
        self.functions: dict[str, Callable] = {}
        for owner in owned:
            self.functions.update(_functions_of(owner))
        self.functions.update({f"probe {name}": fn for name, fn in registry.items() if isinstance(fn, types.FunctionType)})
        self._code = {name: self._state(fn) for name, fn in self.functions.items()}
        self._owned = [(owner, _namespace(owner)) for owner in owned]
        self._library = [(owner, _namespace(owner)) for owner in library]
        self._registry = registry
        self._registry_items = dict(registry)
        # the fast path: watched functions' state read in C, and the namespaces' modification tags
        self._watched = list(self.functions.values())
        self._getters = [attrgetter(name) for name in _FUNCTION_STATE]
        self._states = [list(map(getter, self._watched)) for getter in self._getters]
        self._dicts = [dictversion.underlying_dict(owner) for owner in [*owned, *library]] + [registry]
        self._read = dictversion.version_of  # held here: rebinding the module's name changes nothing
        self._tags = None if self._read is None else list(map(self._read, self._dicts))

    @staticmethod
    def _state(fn: Callable) -> tuple:
        return tuple(getattr(fn, name) for name in _FUNCTION_STATE)

    def changed(self) -> str | None:
        """The name of the first watched piece that differs from the snapshot, or None."""
        tags = None if self._read is None else list(map(self._read, self._dicts))
        if (tags is not None and tags == self._tags
                and all(all(map(is_, map(getter, self._watched), saved)) for getter, saved in zip(self._getters, self._states))):
            return None  # no watched namespace was modified and every function is as it was
        found = self._compare()
        if found is None:
            self._tags = tags  # a namespace only gained names (torch imports lazily): the new baseline
        return found

    def _compare(self) -> str | None:
        for name, fn in self.functions.items():
            if any(a is not b for a, b in zip(self._state(fn), self._code[name])):
                return name
        for owner, saved in self._owned:
            now = _namespace(owner)
            if now.keys() != saved.keys() or any(now[key] is not value for key, value in saved.items()):
                return f"{getattr(owner, '__name__', owner)}'s names"
        for owner, saved in self._library:
            now = vars(owner)
            for key, value in saved.items():
                if now.get(key, _MISSING) is not value:
                    return f"{getattr(owner, '__name__', owner)}.{key}"
        if self._registry.keys() != self._registry_items.keys() or any(
                self._registry[key] is not value for key, value in self._registry_items.items()):
            return "the probe registry"
        return None


_MISSING = object()


def library_namespaces() -> list[Any]:
    """builtins and the torch namespaces probes and the encoder call into."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    return [builtins, torch, torch._C, torch.Tensor, torch._C.TensorBase, F, nn, nn.Module,
            nn.Parameter, torch.autograd, torch.optim, torch.optim.Optimizer, torch.linalg]
