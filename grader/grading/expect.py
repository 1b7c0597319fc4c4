"""Assertions for checks: each failure says what went wrong in the learner's words and names known mistakes."""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import torch

from grader.catalog import metadata
from grader.i18n import tr
from grader.i18n.sources import N_
from grader.grading.outcomes import Failure
from grader.sandbox.client import CallResult
from grader.sandbox.codec import ForeignObject, ModuleSummary, meta


def hint_for(mistake: str | None) -> str | None:
    """The catalog's hint for a mistake id."""
    return metadata.load().hint_for(mistake) if mistake else None


def fail(message: str, *, mistake: str | None = None, hint: str | None = None, safe_message: str | None = None):
    """Raise a Failure; the hint defaults to the catalog's hint for `mistake`."""
    raise Failure(message, mistake=mistake, hint=hint or hint_for(mistake), safe_message=safe_message)


def article(word: str) -> str:
    """"an int", "a float", "an nn.Linear"..."""
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


def describe(value: Any) -> str:
    """Short learner-facing description of any decoded value."""
    if isinstance(value, torch.Tensor):
        return tr("a tensor of shape {shape}", shape=tuple(value.shape))
    if isinstance(value, ForeignObject):
        return tr("{article} {type} ({value})", article=article(value.type_name).split()[0], type=value.type_name,
                  value=value.text[:60])
    if isinstance(value, ModuleSummary):
        return tr("{article} {type} module", article=article(value.type_name).split()[0], type=value.type_name)
    if value is None:
        return "None"
    name = type(value).__name__
    return tr("{article} {type} ({value})", article=article(name).split()[0], type=name, value=str(value)[:60])


def show(value: Any, limit: int = 6) -> str:
    """Values, rounded, for expected-vs-got messages."""
    if isinstance(value, torch.Tensor):
        flat = value.detach().reshape(-1).tolist()
        body = ", ".join(_num(v) for v in flat[:limit]) + (", …" if len(flat) > limit else "")
        return body if value.dim() == 0 else tr("[{values}] (shape {shape})", values=body, shape=tuple(value.shape))
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, tuple) and value and all(isinstance(v, torch.Tensor) for v in value):
        return "(" + ", ".join(show(v, limit) for v in value) + ")"
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
        body = ", ".join(_num(v) for v in value[:limit]) + (", …" if len(value) > limit else "")
        return tr("[{values}] ({count} values)", values=body, count=len(value))
    return describe(value)


def first_difference(got: torch.Tensor, expected: torch.Tensor, rtol: float = 1.3e-6, atol: float = 1e-5) -> str | None:
    """"at index (2, 0): expected 0.5, got 0.25" for the first element that differs (same shapes only)."""
    if not (isinstance(got, torch.Tensor) and isinstance(expected, torch.Tensor)) or got.shape != expected.shape:
        return None
    if got.numel() <= 1:
        return None
    g, e = got.detach().double(), expected.detach().double()
    if expected.is_floating_point() or got.is_floating_point():
        bad = ~torch.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    else:
        bad = g != e
    if not bad.any():
        return None
    flat = int(bad.reshape(-1).nonzero()[0])
    index = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), tuple(got.shape)))
    shown = index[0] if len(index) == 1 else index
    count = int(bad.sum())
    others = tr(" ({count} other element{s} differ too)", count=count - 1, s="s" if count != 2 else "") if count > 1 else ""
    return tr("first difference at index {index}: expected {expected}, got {got}{others}", index=shown,
              expected=_num(e.reshape(-1)[flat].item()), got=_num(g.reshape(-1)[flat].item()), others=others)


def mismatch(what: str, got: Any, expected: Any, rtol: float = 1.3e-6, atol: float = 1e-5) -> str:
    """"what returned … where … was expected", plus where the first difference is for tensors."""
    message = tr("{what} returned {got} where {expected} was expected", what=what, got=show(got), expected=show(expected))
    where = first_difference(got, expected, rtol, atol)
    return message + "; " + where if where else message


def _num(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:.6g}"


def similar(got: Any, expected: Any, rtol: float = 1.3e-6, atol: float = 1e-5) -> bool:
    """Recursive closeness for tensors, numbers, sequences and dicts (NaN equals NaN)."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(expected.shape):
            return False
        if expected.is_floating_point() or got.is_floating_point():
            return bool(torch.allclose(got.detach().double(), expected.detach().double(), rtol=rtol, atol=atol, equal_nan=True))
        return bool(torch.equal(got, expected))
    if isinstance(expected, bool):
        return got is expected
    if isinstance(expected, (int, float)):
        if isinstance(got, ForeignObject) and got.number is not None:
            got = got.number
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return False
        if math.isnan(expected):
            return math.isnan(got)
        return math.isclose(got, expected, rel_tol=rtol, abs_tol=atol)
    if isinstance(expected, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(expected)
                and all(similar(g, e, rtol, atol) for g, e in zip(got, expected)))
    if isinstance(expected, Mapping):
        return (isinstance(got, Mapping) and set(got) == set(expected)
                and all(similar(got[k], expected[k], rtol, atol) for k in expected))
    return got == expected


def matching_mistake(got: Any, variants: Mapping[str, Any] | None, rtol: float = 1.3e-6, atol: float = 1e-5) -> str | None:
    """The id of the first known-mistake variant the learner's value matches."""
    for mistake, value in (variants or {}).items():
        if value is not None and similar(got, value, rtol, atol):
            return mistake
    return None


def tensor(value: Any, what: str, *, mistake_if_float: str | None = None) -> torch.Tensor:
    """Require a tensor; a number instead is named (a Python float is not differentiable)."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (float, int)) or (isinstance(value, ForeignObject) and value.number is not None):
        fail(tr("{what} returned a Python number ({value}), not a tensor", what=what,
                value=show(value) if isinstance(value, float) else describe(value)),
             mistake=mistake_if_float,
             hint=None if mistake_if_float else tr(
                 "Return a torch.Tensor, not a Python number (.item() and float() turn tensors into numbers)."))
    fail(tr("{what} returned {got}, not a tensor", what=what, got=describe(value)), hint=tr("Return a torch.Tensor."))


def sequence(value: Any, length: int, what: str) -> tuple:
    """Require a tuple/list of `length` items (like `(W, b)`)."""
    if not isinstance(value, (tuple, list)) or len(value) != length:
        fail(tr("{what} returned {got}; expected a tuple of {count} values", what=what, got=describe(value), count=length),
             hint=tr("Return the {count} values together: `return a, b`", count=length) if length == 2 else None)
    return tuple(value)


def shape(value: torch.Tensor, expected: tuple[int, ...], what: str) -> None:
    """Require an exact shape."""
    if tuple(value.shape) != tuple(expected):
        hint = None
        if value.dim() == 0 and len(expected) == 1:
            hint = tr("You returned a 0-dim tensor where shape (1,) is asked for: keep one dimension (reduce along dim 0, not over everything).")
        elif len(expected) == 0:
            hint = tr("Reduce to a single number tensor of shape () (e.g. .mean() or .sum() with no dim).")
        fail(tr("{what} has shape {got}, expected {expected}", what=what, got=tuple(value.shape), expected=tuple(expected)),
             hint=hint)


def dtype(value: torch.Tensor, expected: torch.dtype, what: str) -> None:
    """Require a dtype (C1, C3)."""
    if value.dtype != expected:
        fail(tr("{what} has dtype {got}, expected {expected}", what=what, got=value.dtype, expected=expected),
             hint=tr("Keep the dtype of the inputs (float64 in, float64 out): a tensor you create yourself is float32 unless you ask for the inputs' dtype."))


def close(got: Any, expected: Any, what: str, *, variants: Mapping[str, Any] | None = None,
          rtol: float = 1.3e-6, atol: float = 1e-5, hidden_detail: str = N_("a wrong value")) -> None:
    """Require values close to the reference; on mismatch, name the known mistake the value matches."""
    if similar(got, expected, rtol, atol):
        return
    mistake = matching_mistake(got, variants, rtol, atol)
    fail(mismatch(what, got, expected, rtol, atol), mistake=mistake, safe_message=tr("{what} returned {detail}", what=what, detail=hidden_detail))


def close_all(cases: Iterable[tuple[Any, Any, Mapping[str, Any] | None]], what: str, *,
              rtol: float = 1.3e-6, atol: float = 1e-5, hidden_detail: str = N_("a wrong value")) -> None:
    """Like `close` over several (got, expected, variants) cases; the mistake named is one that
    explains every failing case (one case alone can be ambiguous: |e| equals e when all e > 0)."""
    failing, candidates = [], None
    for got, expected, variants in cases:
        if similar(got, expected, rtol, atol):
            continue
        failing.append((got, expected))
        matching = [m for m, v in (variants or {}).items() if v is not None and similar(got, v, rtol, atol)]
        candidates = matching if candidates is None else [m for m in candidates if m in matching]
    if failing:
        got, expected = failing[0]
        fail(mismatch(what, got, expected, rtol, atol),
             mistake=(candidates or [None])[0], safe_message=tr("{what} returned {detail}", what=what, detail=hidden_detail))


def unchanged(call: CallResult, sent: Iterable[Any], names: Iterable[str], what: str) -> None:
    """Require that the call left its tensor arguments' values and requires_grad as they were (C2)."""
    for name, before, after in zip(names, sent, call.args):
        if not isinstance(before, torch.Tensor):
            continue
        if not isinstance(after, torch.Tensor) or not similar(after, before, 0, 0):
            fail(tr("{what} changed its argument {name} in place", what=what, name=name), mistake="mutated_argument")
        if meta(after).requires_grad != before.requires_grad:
            fail(tr("{what} changed {name}.requires_grad; leave the caller's tensors as they were", what=what, name=name),
                 mistake="mutated_argument")


TAMPERED = "tampered"


def forbidden_message(function: str, names: Iterable[str]) -> str:
    """The one message for a function whose result came from a forbidden call (or a tampered record)."""
    names = list(names)
    if TAMPERED in names:
        return tr("the grader's record of the torch functions {function}() called was interfered with, "
                  "so its results cannot be trusted and earn no points", function=function)
    shown = ", ".join(_pretty_call(name) for name in names)
    return tr("{function}() used {calls}, which this exercise asks you to do by hand; "
              "until it computes its result itself, none of the checks of {function}() earn points",
              function=function, calls=shown)


def not_forbidden(call: CallResult, forbidden: Iterable[str], what: str) -> None:
    """Require that no forbidden function was reached, however it was called (the rule that a
    function doing something "by hand" must not call the library function that does it)."""
    function = what.split("(")[0]
    if getattr(call, "tampered", False) or TAMPERED in (call.calls or ()):
        fail(forbidden_message(function, [TAMPERED]))
    used = call.used(*forbidden)
    if used:
        fail(forbidden_message(function, used), mistake="forbidden_call")


def _pretty_call(name: str) -> str:
    if name.startswith("torch."):
        return name
    return f"{name}() (autograd)" if name == "backward" else f"{name}()"


def no_grad_tensor(value: torch.Tensor, what: str, *, mistake: str | None = None) -> None:
    """Require a result that does not require grad (C5)."""
    if meta(value).requires_grad:
        fail(tr("{what} requires grad; it should be a plain result without autograd history", what=what), mistake=mistake,
             hint=None if mistake else tr("Compute it without autograd, or return .detach() of it."))


RUN_RTOL, RUN_ATOL = 1e-4, 1e-5  # whole training runs: valid operation orders drift by float rounding


def same_run(got: Mapping[str, Any], expected: Mapping[str, Any], variants: Any, what: str, hidden_what: str) -> None:
    """A training run {"losses", "weight", "bias"} against the reference run from the same start.

    `variants` may be a function computing them only when needed (hidden checks: a release records
    only the oracle answers public checks ask for on the reference, so public checks ask eagerly).
    """
    if similar(got, expected, RUN_RTOL, RUN_ATOL):
        return
    mistake = matching_mistake(got, variants() if callable(variants) else variants, RUN_RTOL, RUN_ATOL)
    losses, reference = got["losses"], expected["losses"]
    if not similar(losses, reference, RUN_RTOL, RUN_ATOL):
        i = next((i for i, (a, b) in enumerate(zip(losses, reference)) if not similar(a, b, RUN_RTOL, RUN_ATOL)),
                 min(len(losses), len(reference)))
        if i >= min(len(losses), len(reference)):
            message = tr("{what}: recorded {count} losses where the reference run records {expected}", what=what,
                         count=len(losses), expected=len(reference))
        else:
            message = tr("{what}: loss {index} (counting from 0) was {got} where the reference run "
                         "from the same start has {expected}", what=what, index=i, got=show(losses[i]),
                         expected=show(reference[i]))
    else:
        message = tr("{what}: the losses are right but the final parameters are weight {weight}, "
                     "bias {bias} where the reference run ends at weight {expected_weight}, bias {expected_bias}",
                     what=what, weight=show(got["weight"]), bias=show(got["bias"]),
                     expected_weight=show(expected["weight"]), expected_bias=show(expected["bias"]))
    fail(message, mistake=mistake, safe_message=tr("{what} does not follow the reference run", what=hidden_what))


def finite(value: torch.Tensor, what: str, mistake: str | None, detail: str) -> None:
    """Require no NaN/inf (an overflow names `mistake`)."""
    if not torch.isfinite(value).all():
        bad = "NaN" if torch.isnan(value).any() else "inf"
        fail(tr("{what} gave {bad} {detail}", what=what, bad=bad, detail=detail), mistake=mistake)


def losses(value: Any, epochs: int) -> list[float]:
    """Require a training run's `{"losses": [...]}` to hold one Python float per update."""
    recorded = value.get("losses") if isinstance(value, dict) else None
    if not isinstance(recorded, (list, tuple)):
        fail(tr("train(model, x, y, lr, epochs) returned {got}; expected a list of {epochs} losses", got=describe(recorded),
                epochs=epochs),
             hint=tr("Collect the cost of every update in a list, as Python numbers, and return it."))
    if len(recorded) != epochs:
        mistake = {epochs + 1: "one_update_too_many", epochs - 1: "one_update_too_few"}.get(len(recorded))
        fail(tr("train(..., epochs={epochs}) returned {count} losses; expected one per update, {epochs}", epochs=epochs,
                count=len(recorded)),
             mistake=mistake, hint=None if mistake else tr("Perform exactly `epochs` updates and record one loss for each."),
             safe_message=tr("train() did not record one loss per update"))
    if not all(isinstance(v, float) for v in recorded):
        kind = next(describe(v) for v in recorded if not isinstance(v, float))
        fail(tr("train() returned losses that are not Python floats (one is {kind})", kind=kind),
             hint=tr("Record each cost as a Python float (the 0-dim tensor's .item()), not as a tensor."))
    return list(recorded)
