"""The `@check` decorator: a pytest test plus the id, points, visibility and dependencies the learner sees."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

VISIBILITIES = ("public", "hidden")


@dataclass(frozen=True)
class CheckSpec:
    """A check's identity. `description` is the first line of its docstring."""

    id: str
    description: str
    points: float
    visibility: str
    depends: tuple[str, ...]


def check(*, points: float, visibility: str = "public", depends: tuple[str, ...] | list[str] = ()) -> Callable:
    """Mark a `test_<id>` function as a graded check."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}")
    if points < 0:
        raise ValueError("points must be >= 0")

    def decorate(function: Callable) -> Callable:
        name = function.__name__
        if not name.startswith("test_"):
            raise ValueError(f"check functions are named test_<id>: {name}")
        doc = inspect.getdoc(function)
        if not doc:
            raise ValueError(f"check {name} needs a one-line docstring (the learner reads it)")
        function.kit_check = CheckSpec(
            id=name.removeprefix("test_"),
            description=doc.splitlines()[0].strip(),
            points=float(points),
            visibility=visibility,
            depends=tuple(depends),
        )
        return function

    return decorate


def spec_of(function: Callable) -> CheckSpec | None:
    """The CheckSpec attached to a test function, if any."""
    return getattr(function, "kit_check", None)
