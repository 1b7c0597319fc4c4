"""Fixtures the checks use: `learner` (the sandboxed module), `oracle` (references) and `rng`."""

from __future__ import annotations

import hashlib

import pytest

from grader.grading.checking import spec_of
from grader.grading.oracle import BoundOracle
from grader.grading.plugin import SESSION


def derived_seed(seed: int, check_id: str) -> int:
    """A per-check seed, stable across runs and independent of check order."""
    digest = hashlib.sha256(f"{seed}:{check_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


@pytest.fixture
def learner(request):
    module = request.config.stash[SESSION].learner(request.module.EXERCISE)
    # only the functions with forbidden calls pay the call recorder's cost (3-4x on small ops)
    forbidden_for = getattr(request.module, "FORBIDDEN_FOR", None)
    module.watched = frozenset(forbidden_for) if forbidden_for is not None else None
    spec = spec_of(request.function)
    module.visibility = spec.visibility if spec is not None else "public"  # a hidden call's worker never serves public ones
    return module


@pytest.fixture(scope="module")
def oracle(request):
    return BoundOracle(request.config.stash[SESSION].oracle, request.module.EXERCISE)


@pytest.fixture
def rng(request):
    import torch

    spec = spec_of(request.function)
    seed = request.config.stash[SESSION].seed
    return torch.Generator().manual_seed(derived_seed(seed, spec.id if spec else request.node.name))
