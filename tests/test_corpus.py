"""The kit against itself: mutants are caught (and named), alternative solutions pass."""

from __future__ import annotations

import pytest

from conftest import corpus_files, expectations, stage

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


@pytest.mark.parametrize("path", ALTERNATIVES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_alternative_solution_passes(path, grade, tmp_path):
    exercise_id = path.parent.name
    report = grade(stage(path, exercise_id, tmp_path), [exercise_id])
    exercise = report.exercises[0]
    failing = [(c.id, c.status, c.message) for c in exercise.checks if c.status != "passed"]
    assert not failing and exercise.status == "passed", failing


def test_corpus_is_not_empty():
    assert MUTANTS and ALTERNATIVES
