"""Rustlings' `dev check`: every solution passes every check; every stub fails every check."""

from __future__ import annotations

from grader.catalog import kit
from grader.catalog.stubs import out_of_sync


def test_every_solution_passes_every_check(grade, catalog):
    report = grade(kit.SOLUTIONS_DIR)
    failing = [(e.id, c.id, c.status, c.message) for e in report.exercises for c in e.checks if c.status != "passed"]
    assert not failing
    assert report.score == report.max_score > 0
    for exercise in report.exercises:
        assert exercise.max_score == catalog.get(exercise.id).points, exercise.id


def test_every_stub_fails_every_check(grade):
    report = grade(kit.KIT_ROOT / "exercises", follow_dependencies=False)
    passing = [(e.id, c.id) for e in report.exercises for c in e.checks if c.status == "passed" and c.max_points > 0]
    assert not passing, f"checks that pass on an empty stub: {passing}"
    # advisory checks (0 points, robustness beyond the contract) never fail: on a stub they only advise
    advisory = [c for e in report.exercises for c in e.checks if c.max_points == 0]
    assert advisory and all(c.status == "passed" and c.message.startswith("advice: ") for c in advisory)
    assert report.score == 0


def test_stubs_are_in_sync_with_solutions():
    assert out_of_sync(kit.SOLUTIONS_DIR, kit.KIT_ROOT / "exercises") == []
