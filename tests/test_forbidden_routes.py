"""Forbidden calls are seen however they are reached, and valid code is never blamed for one.

Every module under tests/corpus/forbidden reaches a forbidden call by a route that a
function-level monitor alone misses (an operator overload, torch functions switched off,
TorchScript, the autograd engine called directly, torch.optim with the recorder popped) or
interferes with the recorder itself. Each one runs in a real worker forked from the session's
zygote; the recorder's summary must name the call, or say it was tampered with.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import torch

from conftest import CORPUS, corpus_files, expectations, stage
from grader.catalog import kit, metadata
from grader.sandbox.client import CallResult

ROUTES = corpus_files("forbidden")
TIMEOUT = 30.0

X = torch.tensor([[1.0], [2.0], [3.0]])
Y = torch.tensor([[4.0], [7.0], [10.0]])
W, B = torch.tensor([0.5]), torch.tensor([-0.25])
Z = torch.tensor([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0], [4.0, -2.0, 1.0]])
P = torch.tensor([[0.9], [0.2], [0.6]])
LABELS = torch.tensor([[1.0], [0.0], [1.0]])
TARGETS = torch.tensor([2, 0, 1])

# What each function under a forbidden list is called with (and with which args requiring grad).
CALLS = {
    "sum_squared_error": ((X * 2, Y), [0]),
    "mse": ((X * 2, Y), [0]),
    "mse_gradients": ((X, Y, W, B), None),
    "gradient_descent_step": ((X, Y, W, B, 0.01), None),
    "fit": ((X, Y, 0.01, 5), None),
    "autograd_gradients": ((X, Y, W, B), None),
    "fit_autograd": ((X, Y, W, B, 0.01, 3), None),
    "sigmoid": ((Z,), [0]),
    "binary_cross_entropy": ((P, LABELS), [0]),
    "softmax": ((Z, 1), [0]),
    "cross_entropy": ((Z, TARGETS), [0]),
}
# ex11's steps change parameters in place with their .grad set: the checks' own probes drive them.
PROBES = {
    "sgd_momentum_step": ("ex11_momentum_run", dict(shapes=[[3], [2, 2]], lr=0.05, momentum=0.9, steps=3, seed=1)),
    "adam_step": ("ex11_adam_run", dict(shapes=[[3], [2, 2]], lr=0.05, steps=3, seed=3)),
}
# Functions whose results the checks require to avoid a forbidden list, per exercise (the check
# modules' FORBIDDEN_FOR when they declare it; otherwise the exercise's list, where the contract
# lets cross_entropy use a softmax).
FUNCTIONS = {
    "ex02_cost": ("sum_squared_error", "mse"),
    "ex03_manual_gradient": ("mse_gradients",),
    "ex04_gradient_descent": ("gradient_descent_step", "fit"),
    "ex05_autograd": ("autograd_gradients", "fit_autograd"),
    "ex08_logistic_regression": ("sigmoid", "binary_cross_entropy"),
    "ex09_softmax_classifier": ("softmax", "cross_entropy"),
    "ex11_optimizers": ("sgd_momentum_step", "adam_step"),
}
ALLOWED = {"cross_entropy": ("softmax",)}


def _forbidden_for(catalog, exercise_id: str) -> dict[str, tuple[str, ...]]:
    declared = getattr(importlib.import_module(f"grader.curriculum.{exercise_id}.checks"), "FORBIDDEN_FOR", None)
    if declared:
        return {function: tuple(patterns) for function, patterns in declared.items()}
    listed = catalog.get(exercise_id).forbidden
    return {function: tuple(p for p in listed if p not in ALLOWED.get(function, ()))
            for function in FUNCTIONS[exercise_id]}


def _spawn(zygote, path: Path, exercise_id: str):
    worker = zygote.spawn(path, exercise_id)
    reply = worker.request({"op": "load"}, TIMEOUT)
    assert reply["status"] == "ok", reply
    return worker


def _run(worker, function: str, grad: bool = False) -> dict:
    """The worker's raw reply for one monitored call of `function` (its probe for ex11)."""
    if function in PROBES:
        name, config = PROBES[function]
        message = {"op": "probe", "name": name, "args": (config,), "kwargs": {}}
    elif grad:
        args, wrt = CALLS[function]
        message = {"op": "probe", "name": "gradients", "args": (function, list(args), wrt), "kwargs": {}}
    else:
        message = {"op": "call", "name": function, "args": CALLS[function][0], "kwargs": {}}
    reply = worker.request({**message, "monitor": True}, TIMEOUT)
    assert reply["status"] == "ok", reply
    return reply


def _used(reply: dict, patterns) -> list[str]:
    """The trusted side's own matching of recorded names against forbidden patterns."""
    recorded = CallResult(value=None, args=[], kwargs={}, calls=frozenset(reply.get("calls", ())),
                          output="", seconds=0.0)
    return recorded.used(*patterns)


def _listed(path: Path, key: str) -> list[str]:
    return [item.strip() for item in expectations(path).get(key, "").split(",") if item.strip()]


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_route_is_recorded(path, zygote):
    exercise_id = path.parent.name
    expected = _listed(path, "expect")
    worker = _spawn(zygote, path, exercise_id)
    try:
        for function in _listed(path, "function"):
            reply = _run(worker, function)
            names = [name for name in expected if name != "tampered"]
            if names:
                assert _used(reply, names), f"{function}() reached none of {names}: {reply.get('calls')}"
            if "tampered" in expected:
                assert reply.get("tampered"), f"{function}(): interference not reported: {reply}"
            else:
                assert not reply.get("tampered"), reply["tampered"]
    finally:
        worker.kill()


GRADED = [path for path in ROUTES if expectations(path).get("graded") == "yes"]


@pytest.mark.parametrize("path", GRADED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_route_fails_the_forbidden_call_check(path, grade, tmp_path):
    exercise_id = path.parent.name
    report = grade(stage(path, exercise_id, tmp_path), [exercise_id])
    failed = [check for check in report.exercises[0].checks if check.status != "passed"]
    named = [check for check in failed if check.mistake == "forbidden_call"]
    if "tampered" in _listed(path, "expect"):  # reported as interference rather than as a named call
        named += [check for check in failed if "interfered" in (check.message or "")]
    assert named, f"{path.name}: no check failed for the forbidden call: {[(c.id, c.message) for c in failed]}"


def test_recorder_state_does_not_leak_into_the_next_call(zygote):
    """A learner who modified the recorder in one call is reported once; the next call is clean."""
    path = CORPUS / "forbidden" / "ex02_cost" / "swapped_code_object.py"
    worker = _spawn(zygote, path, "ex02_cost")
    try:
        assert _run(worker, "mse").get("tampered")
        clean = _run(worker, "sum_squared_error")
        assert not clean.get("tampered") and "pow" in clean["calls"], clean
    finally:
        worker.kill()


def _valid_modules() -> list[tuple[str, Path]]:
    found = []
    for exercise_id in FUNCTIONS:
        found.append((exercise_id, kit.SOLUTIONS_DIR / f"{exercise_id}.py"))
        found += [(exercise_id, path) for path in sorted((CORPUS / "alternatives" / exercise_id).glob("*.py"))]
    return found


@pytest.mark.parametrize("exercise_id, path", _valid_modules(), ids=lambda v: v if isinstance(v, str) else v.stem)
def test_valid_code_is_never_blamed(exercise_id, path, zygote, catalog, tmp_path):
    """Reference solutions and alternative solutions reach nothing forbidden, nor look like interference."""
    forbidden = _forbidden_for(catalog, exercise_id)
    worker = _spawn(zygote, stage(path, exercise_id, tmp_path) / f"{exercise_id}.py", exercise_id)
    try:
        for function, patterns in forbidden.items():
            runs = [False]
            if CALLS.get(function, (None, None))[1] is not None:
                runs.append(True)  # gradients flowing back through the result, as the checks' probe does
            for grad in runs:
                reply = _run(worker, function, grad)
                assert not _used(reply, patterns), f"{function}() blamed for {_used(reply, patterns)}"
                assert not reply.get("tampered"), f"{function}(): {reply['tampered']}"
    finally:
        worker.kill()


def test_allowed_autograd_is_still_seen(zygote, tmp_path):
    """ex05 asks for autograd: the reference solution's use of it is recorded (its check needs that)."""
    path = kit.SOLUTIONS_DIR / "ex05_autograd.py"
    worker = _spawn(zygote, stage(path, "ex05_autograd", tmp_path) / "ex05_autograd.py", "ex05_autograd")
    try:
        assert _used(_run(worker, "autograd_gradients"), ["torch.autograd"])
    finally:
        worker.kill()


def test_names_are_normalised():
    from grader.sandbox.monitor import normalise

    assert [normalise(n) for n in ("aten::mse_loss.default", "mse_loss.default", "_softmax", "__add__",
                                   "special_expit", "aten::binary_cross_entropy.out")] == [
        "mse_loss", "mse_loss", "softmax", "add", "expit", "binary_cross_entropy"]


def test_corpus_covers_every_exercise_with_a_forbidden_list(catalog):
    with_lists = {exercise.id for exercise in catalog.exercises if exercise.forbidden}
    assert with_lists == set(FUNCTIONS)
    for exercise_id in with_lists:
        assert set(_forbidden_for(catalog, exercise_id)) <= set(CALLS) | set(PROBES)
    assert {path.parent.name for path in ROUTES} >= with_lists - {"ex05_autograd"}


BOTH_OFF = '''
import torch
import torch.nn.functional as F


def mse(prediction, target):
    with torch._C.DisableTorchFunction(), torch._C._DisableTorchDispatch():
        return F.mse_loss(prediction, target)
'''


@pytest.mark.xfail(strict=True, reason="both layers switched off at once is out of in-process reach (monitor.py)")
def test_both_layers_switched_off_at_once(zygote, tmp_path):
    path = tmp_path / "ex02_cost.py"
    path.write_text(BOTH_OFF, encoding="utf-8")
    worker = _spawn(zygote, path, "ex02_cost")
    try:
        reply = _run(worker, "mse")
        assert _used(reply, ["mse_loss"]) or reply.get("tampered")
    finally:
        worker.kill()
