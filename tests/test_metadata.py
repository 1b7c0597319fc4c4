"""The exercise metadata: validation errors name the problem; the kit's own file is consistent."""

from __future__ import annotations

import pytest

from grader.catalog import kit, metadata
from grader.grading.checking import spec_of
from grader.mistakes import variants_for

GOOD = """
[[exercise]]
id = "ex01_demo"
title = "Demo"
points = 2
budget = 5
call_timeout = 2
hints = ["gentle", "specific"]
mistakes = ["oops"]

[mistake]
oops = "You did the oops."
"""


def test_good_metadata_parses():
    catalog = metadata.parse(GOOD)
    assert catalog.exercises[0].id == "ex01_demo" and catalog.hint_for("oops") == "You did the oops."


@pytest.mark.parametrize("change, message", [
    (('title = "Demo"\n', ""), "missing field 'title'"),
    (("points = 2", 'points = "2"'), "field 'points' has the wrong type"),
    (('hints = ["gentle", "specific"]', 'hints = ["only one"]'), "needs 2 or 3 non-empty hints"),
    (('mistakes = ["oops"]', 'mistakes = ["nope"]'), "mistake(s) not in the catalog: nope"),
    (('id = "ex01_demo"', 'id = "demo"'), "id must look like 'ex01_name'"),
    (("call_timeout = 2", "call_timeout = 9"), "call_timeout must not exceed budget"),
    (("budget = 5", "budget = 5\ncolour = 1"), "unknown field(s) colour"),
    (("[mistake]", "[mistake]\nBad-Id = 3"), "needs a snake_case id"),
    (("[[exercise]]", "[[exercise"), "not valid TOML"),
])
def test_invalid_metadata_is_named(change, message):
    old, new = change
    with pytest.raises(metadata.MetadataError) as error:
        metadata.parse(GOOD.replace(old, new, 1))
    assert message in str(error.value)


def test_duplicate_ids_are_refused():
    with pytest.raises(metadata.MetadataError, match="duplicate exercise ids"):
        metadata.parse(GOOD.replace("[mistake]", GOOD.split("[mistake]")[0] + "\n[mistake]"))


def test_every_exercise_has_a_solution_stub_and_checks():
    for exercise in metadata.load().exercises:
        assert (kit.SOLUTIONS_DIR / exercise.filename).exists()
        assert (kit.KIT_ROOT / "exercises" / exercise.filename).exists()
        assert kit.check_file(exercise.id).exists(), exercise.id


def test_variants_name_catalogued_mistakes_of_their_exercise():
    for exercise in metadata.load().exercises:
        for function, table in variants_for(exercise.id).items():
            unlisted = set(table) - set(exercise.mistakes)
            assert not unlisted, f"{exercise.id}.{function}: variants for unlisted mistakes {unlisted}"


def test_check_ids_are_unique_and_dependencies_exist():
    import importlib

    for exercise in metadata.load().exercises:
        module = importlib.import_module(f"grader.checks.check_{exercise.id}")
        specs = [spec_of(f) for f in vars(module).values() if callable(f) and spec_of(f)]
        ids = [s.id for s in specs]
        assert len(ids) == len(set(ids)), exercise.id
        for spec in specs:
            assert set(spec.depends) <= set(ids), (exercise.id, spec.id)
        assert sum(s.points for s in specs) == exercise.points, exercise.id
        hidden = sum(s.points for s in specs if s.visibility == "hidden")
        assert hidden > 0, f"{exercise.id} has no hidden checks"


def test_budgets_are_at_least_ten_times_the_reference_cpu_time(catalog):
    for exercise in catalog.exercises:
        assert exercise.reference_cpu is not None and exercise.reference_call_cpu is not None, exercise.id
        assert exercise.budget >= metadata.MIN_BUDGET_MULTIPLE * exercise.reference_cpu, exercise.id
        assert exercise.call_timeout >= metadata.MIN_BUDGET_MULTIPLE * exercise.reference_call_cpu, exercise.id


def test_a_budget_under_ten_times_the_reference_is_refused():
    text = metadata.METADATA_FILE.read_text(encoding="utf-8").replace("reference_cpu = 0.", "reference_cpu = 9.", 1)
    with pytest.raises(metadata.MetadataError, match="under 10x the reference"):
        metadata.parse(text)


@pytest.mark.slow
def test_recorded_references_still_match_the_solutions(catalog):
    """Measured again now, the reference still fits 5 times in each budget (budgets are 20x when written)."""
    from grader.instructor.budgets import measure

    measured = measure(list(catalog.exercises), repeat=1)
    for exercise in catalog.exercises:
        total, longest = measured[exercise.id]
        assert 5 * total <= exercise.budget and 5 * longest <= exercise.call_timeout, (exercise.id, total, longest)
