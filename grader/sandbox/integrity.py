"""A snapshot of the grader's own code inside a worker, taken before the learner's module loads.

Probes, the encoder and the reply path run in the worker beside learner code, which could swap
a function's code, replace the probe registry or rebind the encoder to forge an observation.
The worker checks the snapshot around every request and reports tampering instead of a result.
In-process checks raise the cost of forgery; they are not the boundary (the OS layers are).
"""

from __future__ import annotations

import types
from typing import Any, Callable


def _functions_of(owner: Any) -> dict[str, Callable]:
    found = {}
    for name, value in vars(owner).items():
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if isinstance(value, types.FunctionType):
            found[f"{getattr(owner, '__name__', owner)}.{name}"] = value
    return found


class Snapshot:
    """Identity of every watched function's code, defaults and closure, and of watched bindings."""

    def __init__(self, owners: list[Any], registry: dict[str, Callable]) -> None:
        self.functions: dict[str, Callable] = {}
        for owner in owners:
            self.functions.update(_functions_of(owner))
        self.functions.update({f"probe {name}": fn for name, fn in registry.items() if isinstance(fn, types.FunctionType)})
        self._code = {name: self._state(fn) for name, fn in self.functions.items()}
        self._bindings = {(id(owner), name): (owner, name, getattr(owner, name))
                          for owner in owners if isinstance(owner, types.ModuleType)
                          for name in _functions_of(owner)
                          for name in [name.rsplit(".", 1)[1]]}
        self._registry = registry
        self._registry_items = dict(registry)

    @staticmethod
    def _state(fn: Callable) -> tuple:
        return (fn.__code__, fn.__defaults__, fn.__kwdefaults__, fn.__closure__, fn.__globals__)

    def changed(self) -> str | None:
        """The name of the first watched piece that differs from the snapshot, or None."""
        for name, fn in self.functions.items():
            saved = self._code[name]
            state = self._state(fn)
            if any(a is not b for a, b in zip(state, saved)):
                return name
        for owner, name, value in self._bindings.values():
            if owner.__dict__.get(name) is not value:
                return f"{getattr(owner, '__name__', owner)}.{name}"
        if self._registry.keys() != self._registry_items.keys() or any(
                self._registry[key] is not value for key, value in self._registry_items.items()):
            return "the probe registry"
        return None
