"""Fair verdicts: checks ask only what the contract states, teach every hidden rule in public,
depend only on what they cannot be judged without, and score only the learner's own work."""

from __future__ import annotations

import importlib
import inspect

import pytest

from grader.catalog import kit, metadata
from grader.grading.checking import check, spec_of
from grader.grading.plugin import learner_output, scrub_paths


def _specs(exercise_id: str) -> dict:
    module = importlib.import_module(f"grader.curriculum.{exercise_id}.checks")
    functions = [f for f in vars(module).values() if inspect.isfunction(f) and spec_of(f) is not None]
    return {spec_of(f).id: spec_of(f) for f in functions}


EXERCISES = [e.id for e in metadata.load().exercises if metadata.check_file(e.id).exists()]


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_every_hidden_check_is_taught_by_existing_public_checks(exercise_id):
    specs = _specs(exercise_id)
    for spec in specs.values():
        for dependency in spec.depends:
            assert dependency in specs, f"{spec.id} depends on unknown check {dependency}"
        if spec.visibility == "hidden":
            assert spec.taught_by, f"hidden check {spec.id} names no public check that teaches its rules"
            for teacher in spec.taught_by:
                assert teacher in specs, f"{spec.id} is taught by unknown check {teacher}"
                assert specs[teacher].visibility == "public", f"{spec.id} is taught by hidden check {teacher}"
        else:
            assert not spec.taught_by


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_advisory_checks_are_free(exercise_id):
    for spec in _specs(exercise_id).values():
        if spec.advisory:
            assert spec.points == 0 and spec.visibility == "public"


def test_public_checks_never_wait_for_hidden_ones():
    for exercise_id in EXERCISES:
        specs = _specs(exercise_id)
        for spec in specs.values():
            if spec.visibility == "public":
                assert all(specs[d].visibility == "public" for d in spec.depends), spec.id


def test_decorator_refuses_a_hidden_check_without_a_teacher():
    with pytest.raises(ValueError, match="taught_by"):
        check(points=1, visibility="hidden")
    with pytest.raises(ValueError, match="advisory"):
        check(points=1, advisory=True)


# --- C: one slip does not cost properties that still hold -------------------------------------
def _grade_source(grade, tmp_path, exercise_id: str, source: str):
    (tmp_path / f"{exercise_id}.py").write_text(source)
    report = grade(tmp_path, [exercise_id])
    return {c.id: c for c in report.exercises[0].checks}, report.exercises[0]


def test_summing_mse_keeps_is_differentiable(grade, tmp_path):
    checks, _ = _grade_source(grade, tmp_path, "ex02_cost",
                              "def sum_squared_error(p, t):\n    return ((t - p) ** 2).sum()\n\n"
                              "def mse(p, t):\n    return ((t - p) ** 2).sum()\n")
    assert checks["mse_matches_definition"].mistake == "sum_instead_of_mean"
    assert checks["mse_is_differentiable"].status == "passed"


def test_correct_autograd_gradients_keeps_its_point_when_fit_hangs(grade, tmp_path):
    source = (kit.SOLUTIONS_DIR / "ex05_autograd.py").read_text()
    source += "\n\ndef fit_autograd(x, y, W0, b0, lr, epochs, tol=5e-5):\n    while True:\n        pass\n"
    checks, _ = _grade_source(grade, tmp_path, "ex05_autograd", source)
    assert checks["fit_returns_results_dict"].status == "timeout"
    assert checks["fit_returns_results_dict"].timeout in ("cpu", "wall")
    assert checks["uses_autograd_not_optim"].status == "passed"
    assert checks["gradients_keep_caller_state"].status == "passed"


# --- D: a function that reached a forbidden call earns nothing ---------------------------------
def test_library_mse_earns_no_points_for_mse(grade, tmp_path):
    checks, exercise = _grade_source(grade, tmp_path, "ex02_cost",
                                     "import torch.nn.functional as F\n\n"
                                     "def sum_squared_error(p, t):\n    return ((t - p) ** 2).sum()\n\n"
                                     "mse = F.mse_loss\n")
    mse_checks = [c for c in checks.values() if c.id.startswith("mse_")]
    assert mse_checks and all(c.points == 0 for c in mse_checks)
    assert checks["sse_matches_definition"].status == "passed"
    assert checks["no_library_mse"].mistake == "forbidden_call"
    assert "mse_loss" in checks["no_library_mse"].message
    withdrawn = [c for c in checks.values() if c.not_counted == "mse" and c.message.startswith("not counted")]
    assert withdrawn and all("by hand" not in c.message for c in withdrawn)  # explained once, in the announcer
    assert exercise.score <= 5


def test_backward_on_a_clone_is_named_not_reported_as_none(grade, tmp_path):
    checks, exercise = _grade_source(grade, tmp_path, "ex03_manual_gradient",
                                     "def mse_gradients(x, y, W, b):\n"
                                     "    W = W.detach().clone().requires_grad_(True)\n"
                                     "    b = b.detach().clone().requires_grad_(True)\n"
                                     "    ((x * W + b - y) ** 2).mean().backward()\n"
                                     "    return W.grad, b.grad\n")
    assert exercise.score == 0
    assert checks["no_autograd"].mistake == "forbidden_call"
    assert not any("returned None" in (c.message or "") for c in checks.values())


# --- E: messages ---------------------------------------------------------------------------------
def test_printed_output_hides_grader_warnings_and_says_what_was_cut(tmp_path):
    grader_file = kit.GRADER_DIR / "sandbox" / "monitor.py"
    text = "\n".join([f"line {i}" for i in range(6)] + [
        f"{grader_file}:35: UserWarning: something inside the grader", "  return func(*args)"])
    shown = learner_output(text, tmp_path)
    assert "monitor.py" not in shown and str(kit.GRADER_DIR) not in shown
    assert shown.startswith("…(3 more lines) | ") and shown.endswith("line 5")


def test_no_absolute_paths_in_messages(tmp_path):
    text = scrub_paths(f"ex02_cost.py is missing from {tmp_path}", tmp_path)
    assert text == "ex02_cost.py is missing from the submission folder"
    assert scrub_paths("see /usr/lib/python3/site.py line 3") == "see site.py line 3"
    assert scrub_paths("dW = 2/m · Σ e·x") == "dW = 2/m · Σ e·x"


def test_mismatch_names_the_first_differing_element():
    import torch

    from grader.grading import expect
    from grader.grading.outcomes import Failure

    expected = torch.arange(10.0)
    got = expected.clone()
    got[8] = 0.5
    with pytest.raises(Failure) as caught:
        expect.close(got, expected, "f(x)")
    assert "first difference at index 8: expected 8, got 0.5" in caught.value.message


def test_articles_in_descriptions():
    from grader.grading import expect

    assert expect.describe(3) == "an int (3)"
    assert expect.describe(0.5) == "a float (0.5)"
