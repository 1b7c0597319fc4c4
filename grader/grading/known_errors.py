"""Exceptions a beginner's code raises for a classic reason, recognised and named with a hint.

The worker reports what the learner's code raised (type, message, their own file:line and that line);
this table turns a recognised one into a known mistake: a short message of our own instead of PyTorch's
long (and capped) text, the mistake's id for the report, and a hint that says what to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from grader.i18n import N_, Text, tr

_GRAD_OF = re.compile(r"\b([A-Za-z_]\w*)\.grad\b(?!_)")


@dataclass(frozen=True)
class KnownError:
    """One recognised exception: which mistake it is, how to say it, what to do."""

    mistake: str
    matches: Callable[[dict], bool]
    message: Callable[[str, dict], Text]
    hint: str


def _backward_twice(reply: dict) -> bool:
    return reply.get("type") == "RuntimeError" and "backward through the graph a second time" in str(
        reply.get("message") or "")


def _none_grad(reply: dict) -> bool:
    """`lr * W.grad` (TypeError) or `W.grad.zero_()` (AttributeError) on a `.grad` that is None."""
    if reply.get("type") not in ("TypeError", "AttributeError") or "NoneType" not in str(reply.get("message") or ""):
        return False
    return bool(_GRAD_OF.search(str(reply.get("code") or "")))


def _where(reply: dict) -> Text | str:
    if not reply.get("where"):
        return ""
    if reply.get("code"):
        return tr(" (at {where}: `{code}`)", where=str(reply["where"])[:80], code=str(reply["code"])[:120])
    return tr(" (at {where})", where=str(reply["where"])[:80])


def _say_backward_twice(function: str, reply: dict) -> Text:
    return tr("{function}() called backward() a second time through the same graph: PyTorch frees a graph once "
              "backward() has gone through it (RuntimeError: Trying to backward through the graph a second time){where}",
              function=function, where=_where(reply))


def _say_none_grad(function: str, reply: dict) -> Text:
    name = _GRAD_OF.search(str(reply.get("code") or "")).group(1)
    return tr("{function}() used {name}.grad while it was None ({error}){where}", function=function, name=name,
              error=str(reply.get("type")), where=_where(reply))


KNOWN = (
    KnownError("backward_twice", _backward_twice, _say_backward_twice, N_(
        "Each backward() needs a fresh forward pass: compute the cost again before every backward() (inside the "
        "loop, once per step). retain_graph=True is not the fix: it keeps the graph alive and the second backward() "
        "adds the same gradients again.")),
    KnownError("update_made_non_leaf", _none_grad, _say_none_grad, N_(
        "W = W - lr * W.grad outside torch.no_grad() builds a new W from the old one: it is no longer a leaf "
        "tensor, so the next backward() leaves its .grad as None. Inside `with torch.no_grad():` subtract from W "
        "itself, in place, so W stays the same leaf tensor.")),
)
MISTAKES = tuple(known.mistake for known in KNOWN)  # ids a report may name for a recognised exception


def recognise(reply: dict) -> KnownError | None:
    """The known mistake behind what the learner's code raised, or None."""
    return next((known for known in KNOWN if known.matches(reply)), None)
