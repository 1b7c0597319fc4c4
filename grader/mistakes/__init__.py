"""Known-mistake variants of the reference functions (trusted code, never shipped to learners).

Each exercise's `mistakes.py` (grader/curriculum/<exercise>/mistakes.py) defines
`VARIANTS = {function: {mistake_id: callable}}`, callables with the reference function's
signature that compute what the mistake computes. Shapes several exercises share live in
grader/mistakes/training.py.
"""

from __future__ import annotations

import importlib
from typing import Callable


def variants_for(exercise: str) -> dict[str, dict[str, Callable]]:
    """The exercise's variants, or an empty dict when it has none."""
    name = f"grader.curriculum.{exercise}.mistakes"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name in (name, f"grader.curriculum.{exercise}"):
            return {}
        raise
    return getattr(module, "VARIANTS", {})
