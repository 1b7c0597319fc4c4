"""Trusted probes: grader code that drives a learner module inside the worker and reduces the
outcome to plain data (models and optimizers never cross the boundary).

A probe is `probe(module, *args) -> plain data`; the oracle runs the same probe on the
reference module, so learner and reference go through identical steps.
"""

from __future__ import annotations

from typing import Callable

PROBES: dict[str, Callable] = {}


def probe(function: Callable) -> Callable:
    """Register a probe under its function name."""
    if function.__name__ in PROBES:
        raise ValueError(f"duplicate probe {function.__name__}")
    PROBES[function.__name__] = function
    return function


def _load_all() -> None:
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_load_all()
