"""The kit against itself: mutants are caught (and named), alternative solutions pass."""

from __future__ import annotations

import pytest

from conftest import corpus_files, expectations, stage
from grader.catalog import metadata
from grader.grading.checking import spec_of

MUTANTS = corpus_files("mutants")
ALTERNATIVES = corpus_files("alternatives")


@pytest.mark.parametrize("path", MUTANTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_mutant_is_caught_and_named(path, grade, tmp_path):
    exercise_id = path.parent.name
    expected = expectations(path)
    report = grade(stage(path, exercise_id, tmp_path), [exercise_id])
    exercise = report.exercises[0]
    assert exercise.score < exercise.max_score, f"{path.name} was not caught by any check"
    mistake = expected.get("mistake")
    if mistake and mistake != "none":
        named = {check.mistake for check in exercise.checks}
        assert mistake in named, f"{path.name}: expected mistake {mistake!r}, the report named {named - {None}}"
    # no rule is discovered only at grading time: a hidden check this mutant fails is taught by a
    # public check that fails (or cannot pass) on it too
    status = {check.id: check.status for check in exercise.checks}
    specs = check_specs(exercise_id)
    for check in exercise.checks:
        if check.visibility == "hidden" and check.status in ("failed", "error", "timeout"):
            teachers = specs[check.id].taught_by
            assert any(status.get(t) != "passed" for t in teachers), (
                f"{path.name} fails hidden check {check.id} but passes every public check that teaches it: {teachers}")


def check_specs(exercise_id: str) -> dict:
    import importlib
    import inspect

    module = importlib.import_module(f"grader.curriculum.{exercise_id}.checks")
    return {spec.id: spec for spec in (spec_of(f) for f in vars(module).values() if inspect.isfunction(f)) if spec}


@pytest.mark.parametrize("path", ALTERNATIVES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_alternative_solution_passes(path, grade, tmp_path):
    exercise_id = path.parent.name
    report = grade(stage(path, exercise_id, tmp_path), [exercise_id])
    exercise = report.exercises[0]
    failing = [(c.id, c.status, c.message) for c in exercise.checks if c.status != "passed"]
    assert not failing and exercise.status == "passed", failing
    assert exercise.score == exercise.max_score
    advised = expectations(path).get("advice")  # robustness beyond the contract: advice, no lost point
    if advised:
        check = next(c for c in exercise.checks if c.id == advised)
        assert check.max_points == 0 and (check.message or "").startswith("advice: "), check


def test_corpus_is_not_empty():
    assert MUTANTS and ALTERNATIVES
