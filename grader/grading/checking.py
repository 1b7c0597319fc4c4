"""The `@check` decorator: a pytest test plus the id, points, visibility and dependencies the learner sees."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

VISIBILITIES = ("public", "hidden")


@dataclass(frozen=True)
class CheckSpec:
    """A check's identity. `description` is the first line of its docstring.

    `depends`: checks without which this one cannot be judged at all (it is skipped when one of
    them did not pass). `taught_by`: for a hidden check, the public checks that teach the same
    rules on other inputs (so no rule is discovered only at grading time). `advisory`: a public,
    0-point check of robustness beyond the contract; it never fails, its finding is advice.
    """

    id: str
    description: str
    points: float
    visibility: str
    depends: tuple[str, ...]
    taught_by: tuple[str, ...] = ()
    advisory: bool = False


def check(*, points: float, visibility: str = "public", depends: tuple[str, ...] | list[str] = (),
          taught_by: tuple[str, ...] | list[str] = (), advisory: bool = False) -> Callable:
    """Mark a `test_<id>` function as a graded check."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}")
    if points < 0:
        raise ValueError("points must be >= 0")
    if visibility == "hidden" and not taught_by:
        raise ValueError("a hidden check names the public checks that teach its rules: taught_by=[...]")
    if visibility == "public" and taught_by:
        raise ValueError("taught_by is for hidden checks (a public check teaches by itself)")
    if advisory and (points != 0 or visibility != "public"):
        raise ValueError("an advisory check is public and worth 0 points (it gives advice, never a verdict)")

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
            taught_by=tuple(taught_by),
            advisory=advisory,
        )
        return function

    return decorate


def spec_of(function: Callable) -> CheckSpec | None:
    """The CheckSpec attached to a test function, if any."""
    return getattr(function, "kit_check", None)
