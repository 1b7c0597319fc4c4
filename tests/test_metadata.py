"""The exercise metadata: validation errors name the problem; the kit's own file is consistent."""

from __future__ import annotations

import re
import shutil
import tomllib

import pytest

from grader.catalog import kit, metadata
from grader.grading.checking import spec_of
from grader.mistakes import variants_for

GOOD = """
title = "Demo"
points = 2
budget = 5
call_timeout = 2
hints = ["gentle", "specific"]
mistakes = ["oops", "shared_one"]

[mistake]
oops = "You did the oops."
"""
SHARED = {"shared_one": "Everyone does this one."}


def _folder(root, name: str, text: str = GOOD):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / metadata.EXERCISE_FILE).write_text(text, encoding="utf-8")
    return folder


def test_good_metadata_parses():
    exercise, own = metadata.parse_exercise("ex01_demo", GOOD, SHARED)
    assert exercise.id == "ex01_demo" and own == {"oops": "You did the oops."}
    assert exercise.mistakes == ("oops", "shared_one")


@pytest.mark.parametrize("change, message", [
    (('title = "Demo"\n', ""), "missing field 'title'"),
    (("points = 2", 'points = "2"'), "field 'points' has the wrong type"),
    (('hints = ["gentle", "specific"]', 'hints = ["only one"]'), "needs 2 or 3 non-empty hints"),
    (('mistakes = ["oops", "shared_one"]', 'mistakes = ["nope"]'), "mistake(s) not in the catalog: nope"),
    (("call_timeout = 2", "call_timeout = 9"), "call_timeout must not exceed budget"),
    (("budget = 5", "budget = 5\ncolour = 1"), "unknown field(s) colour"),
    (("[mistake]", "[mistake]\nBad-Id = 3"), "needs a snake_case id"),
    (("[mistake]", "[mistake]\nshared_one = \"again\""), "already have a hint in mistakes.toml"),
    (("title", "[title"), "not valid TOML"),
])
def test_invalid_metadata_is_named(change, message):
    old, new = change
    with pytest.raises(metadata.MetadataError) as error:
        metadata.parse_exercise("ex01_demo", GOOD.replace(old, new, 1), SHARED)
    assert message in str(error.value) and "ex01_demo/exercise.toml" in str(error.value)


def test_the_folder_name_is_the_id():
    with pytest.raises(metadata.MetadataError, match="must look like 'ex01_name'"):
        metadata.parse_exercise("demo", GOOD, SHARED)


def test_exercises_are_found_by_scanning_their_folders(tmp_path):
    for name in ("ex02_second", "ex01_first"):
        _folder(tmp_path, name)
    (tmp_path / "notes").mkdir()  # a folder without exercise.toml is not an exercise
    catalog = metadata.build(metadata.kit_folders(tmp_path), '[mistake]\nshared_one = "x"\n')
    assert [e.id for e in catalog.exercises] == ["ex01_first", "ex02_second"]
    assert [e.order for e in catalog.exercises] == [1, 2]


def test_a_course_drops_reorders_and_adds_exercises(tmp_path, monkeypatch):
    kit_ids = [e.id for e in metadata.build(metadata.kit_folders(), metadata.SHARED_MISTAKES_FILE.read_text()).exercises]
    extra = _folder(tmp_path / "mine", "ex42_mine", GOOD.replace('"shared_one"', '"mutated_argument"'))
    course = tmp_path / "course.toml"
    course.write_text(f'exercises = ["{kit_ids[2]}", "../{tmp_path.name}/mine/ex42_mine", "{kit_ids[0]}"]\n')
    folders = metadata.course_folders(course)
    assert folders[1] == extra.resolve()
    catalog = metadata.build(folders, metadata.SHARED_MISTAKES_FILE.read_text())
    assert [e.id for e in catalog.exercises] == [kit_ids[2], "ex42_mine", kit_ids[0]]
    assert catalog.get("ex42_mine").check_file == extra.resolve() / "checks.py"
    assert metadata.outside_folders(catalog) == [extra.resolve()]
    monkeypatch.setenv("GRADE_COURSE", str(course))
    assert metadata.course_folders() == folders


@pytest.mark.parametrize("text, message", [
    ('exercises = ["ex99_missing"]', "is not an exercise"),
    ("exercises = 3", "must be a list"),
    ('exercises = []\nextra = 1', "unknown field(s) extra"),
])
def test_a_broken_course_is_named(tmp_path, text, message):
    (tmp_path / "course.toml").write_text(text)
    with pytest.raises(metadata.MetadataError, match=re.escape(message)):
        metadata.course_folders(tmp_path / "course.toml")


def test_duplicate_ids_and_numbers_are_refused(tmp_path):
    one = _folder(tmp_path, "ex01_first")
    with pytest.raises(metadata.MetadataError, match="duplicate exercise ids"):
        metadata.build([one, one], '[mistake]\nshared_one = "x"\n')
    other = _folder(tmp_path, "ex01_other")
    with pytest.raises(metadata.MetadataError, match="same number"):
        metadata.build([one, other], '[mistake]\nshared_one = "x"\n')


def test_removing_a_folder_removes_the_exercise(tmp_path):
    shutil.copytree(kit.CURRICULUM_DIR, tmp_path / "curriculum", ignore=shutil.ignore_patterns("__pycache__"))
    whole = metadata.build(metadata.kit_folders(tmp_path / "curriculum"), metadata.SHARED_MISTAKES_FILE.read_text())
    gone = whole.exercises[len(whole.exercises) // 2]
    shutil.rmtree(tmp_path / "curriculum" / gone.id)
    rest = metadata.build(metadata.kit_folders(tmp_path / "curriculum"), metadata.SHARED_MISTAKES_FILE.read_text())
    assert [e.id for e in rest.exercises] == [e.id for e in whole.exercises if e.id != gone.id]
    assert all(rest.get(e.id).points == e.points for e in rest.exercises)


def test_every_exercise_has_a_solution_stub_and_checks():
    for exercise in metadata.load().exercises:
        assert (kit.SOLUTIONS_DIR / exercise.filename).exists()
        assert (kit.KIT_ROOT / "exercises" / exercise.filename).exists()
        assert metadata.check_file(exercise.id).exists(), exercise.id


def test_variants_name_catalogued_mistakes_of_their_exercise():
    for exercise in metadata.load().exercises:
        for function, table in variants_for(exercise.id).items():
            unlisted = set(table) - set(exercise.mistakes)
            assert not unlisted, f"{exercise.id}.{function}: variants for unlisted mistakes {unlisted}"


def test_check_ids_are_unique_and_dependencies_exist():
    import importlib

    for exercise in metadata.load().exercises:
        module = importlib.import_module(f"grader.curriculum.{exercise.id}.checks")
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


def test_a_budget_under_ten_times_the_reference_is_refused(catalog):
    exercise = catalog.exercises[0]
    text = exercise.metadata_file.read_text(encoding="utf-8")
    assert "reference_cpu = 0." in text
    with pytest.raises(metadata.MetadataError, match="under 10x the reference"):
        metadata.parse_exercise(exercise.id, text.replace("reference_cpu = 0.", "reference_cpu = 9.", 1),
                                 metadata.parse_mistakes(tomllib.loads(metadata.SHARED_MISTAKES_FILE.read_text())["mistake"], ""))


@pytest.mark.slow
def test_recorded_references_still_match_the_solutions(catalog):
    """Measured again now, the reference still fits 5 times in each budget (budgets are 20x when written)."""
    from grader.instructor.budgets import measure

    measured = measure(list(catalog.exercises), repeat=1)
    for exercise in catalog.exercises:
        total, longest = measured[exercise.id]
        assert 5 * total <= exercise.budget and 5 * longest <= exercise.call_timeout, (exercise.id, total, longest)
