"""Plain-data encoding of whatever learner code returns, safe to decode in the trusted process.

The worker turns results into dicts, lists, tuples, scalars and plain CPU tensors and
serialises them with the bounded binary format of `grader.sandbox.plain`; the trusted side
reads them back with a decoder that knows only those types and checks every size and depth
before it allocates, so no learner object is ever unpickled outside the worker.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import torch

from grader.sandbox import plain

MAX_ELEMENTS = plain.MAX_TENSOR_ELEMENTS
MAX_ITEMS = 100_000
MAX_DEPTH = 12
_TENSOR = "__tensor__"
_OBJECT = "__object__"
_MODULE = "__nn_module__"


class EncodingError(Exception):
    """A value can't cross the boundary (too big, too deep, odd key)."""


@dataclass(frozen=True)
class TensorMeta:
    """What the learner's tensor was, besides its values."""

    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    grad: torch.Tensor | None
    type_name: str


@dataclass(frozen=True)
class ForeignObject:
    """Stand-in for a value that is not plain data (a string `repr` and the type name)."""

    type_name: str
    text: str
    number: float | None = None


@dataclass(frozen=True)
class ModuleSummary:
    """A torch.nn.Module reduced to its class, children and parameters."""

    type_name: str
    children: tuple["ModuleSummary", ...]
    parameters: dict[str, torch.Tensor] = field(default_factory=dict)
    text: str = ""

    def layer_types(self) -> list[str]:
        """Class names of the direct children, in order."""
        return [child.type_name for child in self.children]


_BASE = torch._C.TensorBase  # its C descriptors and methods: a learner subclass can't override them
_NO_SUBCLASS_OVERRIDES = torch._C.DisableTorchFunctionSubclass


def _plain_tensor(t: torch.Tensor) -> torch.Tensor:
    with _NO_SUBCLASS_OVERRIDES():
        base = _BASE.detach(t)
        if type(base) is not torch.Tensor:
            base = _BASE.as_subclass(base, torch.Tensor)
    if base.layout != torch.strided:
        base = base.to_dense()
    if base.numel() > MAX_ELEMENTS:
        raise EncodingError(f"a tensor of {base.numel()} elements is too large to check")
    return base.cpu().clone()


def encode(value: Any, depth: int = 0) -> Any:
    """Worker side: reduce `value` to plain data that `torch.load(weights_only=True)` accepts."""
    if depth > MAX_DEPTH:
        raise EncodingError("the value is nested too deeply to check")
    if value is None or isinstance(value, (bool, int, float, str)) and type(value) in (bool, int, float, str):
        return value
    if isinstance(value, torch.Tensor):
        with _NO_SUBCLASS_OVERRIDES():  # read through the C descriptors: a subclass can't lie here
            requires_grad = bool(_BASE.requires_grad.__get__(value))
            is_leaf = bool(_BASE.is_leaf.__get__(value))
            grad_fn = _BASE.grad_fn.__get__(value)
            grad = _BASE.grad.__get__(value) if is_leaf and requires_grad else None
        return {
            _TENSOR: _plain_tensor(value),
            "requires_grad": requires_grad,
            "is_leaf": is_leaf,
            "grad_fn": type(grad_fn).__name__ if grad_fn is not None else None,
            "grad": _plain_tensor(grad) if isinstance(grad, torch.Tensor) else None,
            "type_name": type(value).__name__,
        }
    if isinstance(value, torch.nn.Module):
        return {
            _MODULE: type(value).__name__,
            "children": [encode(child, depth + 1) for child in value.children()][:MAX_ITEMS],
            "parameters": {name: _plain_tensor(p) for name, p in value.named_parameters()},
            "text": repr(value)[:2000],
        }
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            raise EncodingError(f"a sequence of {len(value)} items is too long to check")
        items = list(value)  # iterated once: a learner's sequence may answer differently each time
        if items and depth + 1 > MAX_DEPTH:
            raise EncodingError("the value is nested too deeply to check")
        if not plain.scalars_only(items):
            items = [encode(item, depth + 1) for item in items]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise EncodingError("a dict with too many keys to check")
        encoded = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise EncodingError(f"dict keys must be strings, got {type(key).__name__}")
            encoded[str(key)] = encode(item, depth + 1)
        return encoded
    number = None
    if isinstance(value, numbers.Real):
        try:
            number = float(value)
        except Exception:  # noqa: BLE001 - learner objects may fail any way
            number = None
    try:
        text = repr(value)[:500]
    except Exception:  # noqa: BLE001
        text = "<unprintable>"
    return {_OBJECT: type(value).__qualname__, "text": text, "number": number}


def dumps(value: Any) -> bytes:
    """Worker side: serialise already-encoded plain data."""
    return plain.dumps(value)


def loads(payload: bytes) -> Any:
    """Trusted side: bounded, typed decoding (plain data and tensors only; see `plain`)."""
    return plain.loads(payload)


def decode(value: Any) -> Any:
    """Trusted side: turn encoded markers back into tensors (with `.kit` metadata) and summaries."""
    if isinstance(value, dict):
        if _TENSOR in value:
            tensor = value[_TENSOR]
            if not isinstance(tensor, torch.Tensor):
                raise EncodingError("malformed tensor")
            grad = value.get("grad")
            tensor.kit = TensorMeta(
                requires_grad=bool(value.get("requires_grad")),
                is_leaf=bool(value.get("is_leaf")),
                grad_fn=value.get("grad_fn"),
                grad=grad if isinstance(grad, torch.Tensor) else None,
                type_name=str(value.get("type_name")),
            )
            return tensor
        if _MODULE in value:
            return ModuleSummary(
                type_name=str(value[_MODULE]),
                children=tuple(decode(child) for child in value.get("children", [])),
                parameters={k: v for k, v in value.get("parameters", {}).items()},
                text=str(value.get("text", "")),
            )
        if _OBJECT in value:
            return ForeignObject(str(value[_OBJECT]), str(value.get("text", "")), value.get("number"))
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return value.copy() if plain.scalars_only(value) else [decode(item) for item in value]
    if isinstance(value, tuple):
        return tuple(value) if plain.scalars_only(value) else tuple(decode(item) for item in value)
    return value


def meta(tensor: torch.Tensor) -> TensorMeta:
    """The learner-side metadata of a decoded tensor (a trusted tensor counts as a fresh leaf)."""
    found = getattr(tensor, "kit", None)
    if isinstance(found, TensorMeta):
        return found
    return TensorMeta(tensor.requires_grad, tensor.is_leaf, None, tensor.grad, type(tensor).__name__)


def roundtrip(value: Any) -> Any:
    """Encode, serialise, deserialise and decode: what the trusted side would see from a worker."""
    return decode(loads(dumps(encode(value))))
