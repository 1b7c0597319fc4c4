"""Known-mistake variants of the reference functions, per exercise (trusted code, never shipped).

Each `grader/mistakes/<exercise>.py` defines `VARIANTS = {function: {mistake_id: callable}}`,
callables with the reference function's signature that compute what the mistake computes.
"""

from __future__ import annotations

import importlib
from typing import Callable


def variants_for(exercise: str) -> dict[str, dict[str, Callable]]:
    """The exercise's variants, or an empty dict when it has none."""
    try:
        module = importlib.import_module(f"grader.mistakes.{exercise}")
    except ModuleNotFoundError as exc:
        if exc.name == f"grader.mistakes.{exercise}":
            return {}
        raise
    return getattr(module, "VARIANTS", {})
