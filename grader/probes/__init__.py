"""Trusted probes: grader code that drives a learner module inside the worker and reduces the
outcome to plain data (models and optimizers never cross the boundary).

A probe is `probe(module, *args) -> plain data`; the oracle runs the same probe on the
reference module, so learner and reference go through identical steps. Each exercise keeps its
own probes beside its checks (grader/curriculum/<exercise>/probes.py); what several exercises
use lives in grader/probes/shared.py. Importing this package loads them all (the zygote does,
before any learner code runs), and MODULES lists them for the worker's integrity watch.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Callable

PROBES: dict[str, Callable] = {}
MODULES: list[ModuleType] = []  # every module that defines probes, shared and per exercise


def register_probe(name: str, function: Callable) -> Callable:
    """Register `function` as the probe `name` (once)."""
    if name in PROBES:
        raise ValueError(f"duplicate probe {name}")
    PROBES[name] = function
    return function


def probe(function: Callable) -> Callable:
    """Register a probe under its function name."""
    return register_probe(function.__name__, function)


def _load_all() -> None:
    from grader.catalog import metadata

    MODULES.append(importlib.import_module(f"{__name__}.shared"))
    for exercise in metadata.load().exercises:
        if (exercise.check_file.parent / "probes.py").is_file():
            MODULES.append(importlib.import_module(f"{exercise.module_prefix}.probes"))


_load_all()
