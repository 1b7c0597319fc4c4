"""Reference answers without the reference code: record them from the live oracle, replay them in a release.

`RecordingOracle` wraps `LiveOracle` and keeps every answer under a deterministic key
(exercise, method, name, digest of the arguments); `RecordedOracle` replays them from
`grader/recorded/oracle.pt`, a `torch.save` of plain data read back with `weights_only=True`.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import struct
from pathlib import Path
from typing import Any

import torch

from grader.grading.outcomes import CheckOutcome
from grader.sandbox.codec import ForeignObject, ModuleSummary, decode, meta
from grader.sandbox.plain import scalars_only

FORMAT = "kit-oracle/1"
METHODS = ("expected", "variants", "probe", "probe_variants")


class UnrecordableArgument(TypeError):
    """A check passed the oracle an argument that has no stable digest (an instructor problem)."""


class ReferenceUnavailable(CheckOutcome):
    """No recorded answer for these inputs: the check cannot judge here, which is nobody's mistake.

    Its status is `skipped` (not `failed`/`error`): the learner's code was not judged, the report
    says why, the check scores 0 and `grade run` still exits 1, so it never passes for a pass.
    """

    status = "skipped"


# digests ------------------------------------------------------------------------------------
def _feed(h: Any, value: Any, depth: int = 0) -> None:
    """Feed a canonical, type-tagged encoding of `value` into the hash."""
    if depth > 20:
        raise UnrecordableArgument("an oracle argument is nested too deeply to record")
    tag = lambda text: h.update(text.encode() + b"\x00")  # noqa: E731 - tiny local helper
    if value is None or value is Ellipsis:
        tag(repr(value))
    elif isinstance(value, bool):
        tag(f"bool:{value}")
    elif isinstance(value, int):
        tag(f"int:{value}")
    elif isinstance(value, float):
        tag("float:")
        h.update(struct.pack("<d", value))
    elif isinstance(value, complex):
        tag("complex:")
        h.update(struct.pack("<dd", value.real, value.imag))
    elif isinstance(value, str):
        tag(f"str:{len(value)}:{value}")
    elif isinstance(value, bytes):
        tag(f"bytes:{len(value)}")
        h.update(value)
    elif isinstance(value, torch.Tensor):
        plain = value.detach().cpu()
        if plain.layout != torch.strided:
            plain = plain.to_dense()
        tag(f"tensor:{plain.dtype}:{tuple(plain.shape)}:{value.requires_grad}")
        h.update(plain.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    elif isinstance(value, (torch.dtype, torch.device, torch.Size, range, slice)):
        tag(f"{type(value).__name__}:{value!r}")
    elif isinstance(value, torch.Generator):
        _feed(h, value.get_state(), depth + 1)
    elif isinstance(value, (list, tuple)):
        tag(f"{type(value).__name__}:{len(value)}")
        for item in value:
            _feed(h, item, depth + 1)
    elif isinstance(value, dict):
        tag(f"dict:{len(value)}")
        for key in sorted(value, key=repr):
            _feed(h, key, depth + 1)
            _feed(h, value[key], depth + 1)
    elif isinstance(value, (set, frozenset)):
        tag(f"set:{len(value)}")
        for item in sorted(value, key=repr):
            _feed(h, item, depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        tag(f"dataclass:{type(value).__qualname__}")
        for item in dataclasses.fields(value):
            _feed(h, item.name, depth + 1)
            _feed(h, getattr(value, item.name), depth + 1)
    elif callable(value) and hasattr(value, "__qualname__"):
        tag(f"callable:{getattr(value, '__module__', '')}.{value.__qualname__}")
    elif type(value).__module__ == "numpy" and hasattr(value, "tobytes"):
        tag(f"ndarray:{value.dtype}:{getattr(value, 'shape', ())}")
        h.update(value.tobytes())
    else:
        raise UnrecordableArgument(
            f"cannot record an oracle answer for an argument of type {type(value).__qualname__}; "
            "pass plain data (tensors, numbers, strings, lists, dicts) to the oracle")


def key(exercise: str, method: str, name: str, args: tuple, kwargs: dict) -> str:
    """`exercise/method/name/<sha256 of the arguments>`: the same inputs give the same key anywhere."""
    h = hashlib.sha256()
    _feed(h, tuple(args))
    _feed(h, dict(kwargs))
    return f"{exercise}/{method}/{name}/{h.hexdigest()}"


# plain data ---------------------------------------------------------------------------------
def _clean(tensor: torch.Tensor | None) -> torch.Tensor | None:
    return None if tensor is None else tensor.detach().clone()


def undecode(value: Any) -> Any:
    """The inverse of `codec.decode`: a decoded answer back to the plain data the codec sends."""
    if isinstance(value, torch.Tensor):
        info = meta(value)
        return {"__tensor__": _clean(value), "requires_grad": info.requires_grad, "is_leaf": info.is_leaf,
                "grad_fn": info.grad_fn, "grad": _clean(info.grad), "type_name": info.type_name}
    if isinstance(value, ModuleSummary):
        return {"__nn_module__": value.type_name, "children": [undecode(c) for c in value.children],
                "parameters": {k: _clean(v) for k, v in value.parameters.items()}, "text": value.text}
    if isinstance(value, ForeignObject):
        return {"__object__": value.type_name, "text": value.text, "number": value.number}
    if isinstance(value, dict):
        return {str(k): undecode(v) for k, v in value.items()}
    if isinstance(value, list):
        return value.copy() if scalars_only(value) else [undecode(v) for v in value]
    if isinstance(value, tuple):
        return tuple(value) if scalars_only(value) else tuple(undecode(v) for v in value)
    return value


# the oracles --------------------------------------------------------------------------------
class _OracleByAnswer:
    """The oracle interface (grader/grading/oracle.py), each method answered by `_answer(method, ...)`."""

    def _answer(self, method: str, exercise: str, name: str, args: tuple, kwargs: dict) -> Any:
        raise NotImplementedError

    def expected(self, exercise: str, function: str, *args: Any, **kwargs: Any) -> Any:
        return self._answer("expected", exercise, function, args, kwargs)

    def variants(self, exercise: str, function: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._answer("variants", exercise, function, args, kwargs)

    def probe(self, exercise: str, probe: str, *args: Any, **kwargs: Any) -> Any:
        return self._answer("probe", exercise, probe, args, kwargs)

    def probe_variants(self, exercise: str, probe: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._answer("probe_variants", exercise, probe, args, kwargs)


class RecordingOracle(_OracleByAnswer):
    """A LiveOracle that also keeps every answer it gives, for `save`."""

    def __init__(self, live: Any = None) -> None:
        if live is None:
            from grader.grading.oracle import LiveOracle

            live = LiveOracle()
        self.live = live
        self.answers: dict[str, Any] = {}

    def _answer(self, method: str, exercise: str, name: str, args: tuple, kwargs: dict) -> Any:
        entry = key(exercise, method, name, args, kwargs)  # before the call: args are never mutated by it
        value = getattr(self.live, method)(exercise, name, *args, **kwargs)
        self.answers[entry] = undecode(value)
        return value

    def save(self, path: Path) -> Path:
        """Write the answers as plain data (loadable with weights_only=True)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"format": FORMAT, "answers": dict(sorted(self.answers.items()))}, path)
        return path


class RecordedOracle(_OracleByAnswer):
    """Replays recorded answers; an input nobody recorded makes the check `skipped` with a reason."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers

    @classmethod
    def load(cls, path: Path) -> "RecordedOracle":
        data = torch.load(Path(path), weights_only=True)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"{path} is not a recorded oracle in format {FORMAT}")
        return cls(data["answers"])

    def _answer(self, method: str, exercise: str, name: str, args: tuple, kwargs: dict) -> Any:
        entry = key(exercise, method, name, args, kwargs)
        if entry not in self.answers:
            raise ReferenceUnavailable(
                f"not judged here: this kit has no recorded reference answer for these inputs of {name}() "
                f"(randomised checks replay only with the default seed: run `grade run {exercise}` without --seed)",
                hint="Your work is judged in full, with every check, when it is graded.")
        return decode(copy.deepcopy(self.answers[entry]))

