"""Teachers write exercises: `grade dev new` scaffolds one that every command picks up, `grade dev check` proves it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.catalog import kit, metadata

NEW = "ex12_scale_demo"
_COPIED = ("grader", "solutions", "exercises", "pyproject.toml")


def grade(kit_dir: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """`grade ARGS` run by the kit in `kit_dir` (its own grader package, its own course)."""
    env = {k: v for k, v in os.environ.items() if k not in ("GRADE_COURSE", "GRADE_DEBUG", "GRADE_LANG")}
    env.update(PYTHONPATH=str(kit_dir), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=kit_dir, env=env, capture_output=True,
                          text=True, timeout=timeout)


def snapshot(kit_dir: Path) -> dict[str, str]:
    return {str(p.relative_to(kit_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(kit_dir.rglob("*")) if p.is_file() and not {"__pycache__", ".grade"} & set(p.parts)}


@pytest.fixture(scope="module")
def kit_copy(tmp_path_factory) -> Path:
    """A temporary copy of the kit (what a teacher's clone holds), its stubs generated."""
    root = tmp_path_factory.mktemp("kit") / "kit"
    root.mkdir()
    for name in _COPIED:
        source = kit.KIT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(source, root / name)
    return root


@pytest.mark.slow
def test_a_scaffolded_exercise_is_picked_up_by_every_command_and_leaves_cleanly(kit_copy, tmp_path):
    before = snapshot(kit_copy)
    listed_before = grade(kit_copy, "list").stdout
    made = grade(kit_copy, "dev", "new", NEW)
    assert made.returncode == 0, made.stderr
    after = snapshot(kit_copy)
    changed = {name for name in after if before.get(name) != after[name]}
    touched = {name.split("/")[0] if not name.startswith("grader/") else "/".join(name.split("/")[:3])
               for name in changed}
    # no other file edited: the exercise's folder, its solution and its generated stub only
    assert touched == {f"grader/curriculum/{NEW}", "solutions", "exercises"}, touched
    assert {n for n in changed if not n.startswith(f"grader/curriculum/{NEW}/")} == {
        f"solutions/{NEW}.py", f"exercises/{NEW}.py"}
    assert not set(before) - set(after)

    proved = grade(kit_copy, "dev", "check", NEW)
    assert proved.returncode == 0 and f"ok   {NEW}" in proved.stdout and "✗" not in proved.stdout, proved.stdout
    listed = grade(kit_copy, "list").stdout.splitlines()
    assert listed[:-1] == listed_before.splitlines() and listed[-1].startswith(NEW)
    ran = grade(kit_copy, "run", NEW, "--dir", "solutions", "--json")
    report = json.loads(ran.stdout)
    assert ran.returncode == 0 and report["exercises"][0]["id"] == NEW and report["score"] == report["max_score"] > 0
    stub = grade(kit_copy, "run", NEW, "--json")
    assert stub.returncode == 1 and json.loads(stub.stdout)["score"] == 0

    released = grade(kit_copy, "release", str(tmp_path / "student"))
    assert released.returncode == 0, released.stderr
    shipped = tmp_path / "student" / "grader" / "curriculum" / NEW
    assert (shipped / "checks.py").is_file() and (tmp_path / "student" / "exercises" / f"{NEW}.py").is_file()
    assert 'visibility="hidden"' not in (shipped / "checks.py").read_text(encoding="utf-8")
    assert not any((shipped / name).exists() for name in metadata.INSTRUCTOR_ONLY)
    pytest.importorskip("nbgrader")
    course = grade(kit_copy, "nbgrader", "build", str(tmp_path / "course"), NEW)
    assert course.returncode == 0, course.stderr
    assert (tmp_path / "course" / "source" / NEW / f"{NEW}.ipynb").is_file()

    shutil.rmtree(kit_copy / "grader" / "curriculum" / NEW)
    (kit_copy / "solutions" / f"{NEW}.py").unlink()
    (kit_copy / "exercises" / f"{NEW}.py").unlink()
    assert grade(kit_copy, "list").stdout == listed_before  # the catalog is whole again
    assert snapshot(kit_copy).keys() == before.keys()


@pytest.mark.slow
def test_dev_check_names_what_is_wrong_and_exits_1(kit_copy):
    name = "ex13_broken_demo"
    assert grade(kit_copy, "dev", "new", name, "--no-measure").returncode == 0
    folder = kit_copy / "grader" / "curriculum" / name
    try:
        (folder / "mistakes.py").write_text('VARIANTS = {}\n', encoding="utf-8")  # the mistake is no longer named
        toml = folder / "exercise.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("Multiply, don't add", "Multiply, never add"),
                        encoding="utf-8")  # a hint without its Korean
        result = grade(kit_copy, "dev", "check", name)
        assert result.returncode == 1
        assert "factor_added.py is caught but not named 'factor_added'" in result.stdout
        assert f"no measured reference CPU time: run `grade budgets --write {name}`" in result.stdout
        assert "no ko text for 'Multiply, never add" in result.stdout
        assert f"1 of 1 exercise(s) need work: {name}" in result.stdout
    finally:
        shutil.rmtree(folder)
        (kit_copy / "solutions" / f"{name}.py").unlink()
        (kit_copy / "exercises" / f"{name}.py").unlink()


def test_dev_new_refuses_a_bad_or_taken_name(kit_copy):
    bad = grade(kit_copy, "dev", "new", "scale")
    assert bad.returncode == 2 and bad.stderr.startswith("grade: 'scale' is not an exercise id: use exNN_name")
    taken = grade(kit_copy, "dev", "new", "ex02_other")
    assert taken.returncode == 2 and "exercise number 02 is taken by ex02_cost" in taken.stderr


@pytest.mark.slow
def test_every_built_in_exercise_passes_dev_check():
    """The kit's own exercises go through the same proofs (their corpus modules: tests/test_corpus.py)."""
    result = grade(kit.KIT_ROOT, "dev", "check", "--no-corpus", timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:]
    assert result.stdout.count("\nok   ") + result.stdout.startswith("ok   ") == len(metadata.load().exercises)


@pytest.mark.slow
def test_a_course_adds_a_folder_from_outside_the_kit_and_drops_the_rest(kit_copy, tmp_path):
    name = "ex14_outside_demo"
    assert grade(kit_copy, "dev", "new", name, "--no-measure").returncode == 0
    outside = tmp_path / "my-course" / name
    outside.parent.mkdir()
    shutil.move(kit_copy / "grader" / "curriculum" / name, outside)
    shutil.move(kit_copy / "solutions" / f"{name}.py", outside / "solution.py")
    (kit_copy / "exercises" / f"{name}.py").unlink()
    course = kit_copy / "course.toml"
    course.write_text(f'exercises = ["{outside}", "ex02_cost"]\n', encoding="utf-8")
    try:
        assert [line.split()[0] for line in grade(kit_copy, "list").stdout.splitlines()] == [name, "ex02_cost"]
        assert grade(kit_copy, "stubs").returncode == 0 and (kit_copy / "exercises" / f"{name}.py").is_file()
        references = tmp_path / "references"
        references.mkdir()
        shutil.copy(outside / "solution.py", references / f"{name}.py")
        ran = grade(kit_copy, "run", "14", "--dir", str(references), "--json")
        assert ran.returncode == 0 and json.loads(ran.stdout)["exercises"][0]["status"] == "passed", ran.stdout
        released = grade(kit_copy, "release", str(tmp_path / "student"))
        assert released.returncode == 0, released.stderr
        shipped = tmp_path / "student" / "grader" / "curriculum"
        assert sorted(p.name for p in shipped.iterdir() if (p / "exercise.toml").is_file()) == sorted([name, "ex02_cost"])
        assert not (shipped / name / "solution.py").exists()
        assert grade(tmp_path / "student", "list").stdout.split()[0] == name  # the student kit keeps the order
    finally:
        course.unlink()
        (kit_copy / "exercises" / f"{name}.py").unlink(missing_ok=True)


def test_dev_check_says_when_the_committed_stub_is_not_the_solutions(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from grader.authoring import devcheck

    exercise = metadata.load().get("ex01_hypothesis")
    committed = kit.KIT_ROOT / "exercises" / exercise.filename
    (tmp_path / "exercises").mkdir()
    monkeypatch.setattr(devcheck.kit, "KIT_ROOT", tmp_path)
    checker = devcheck.Checker(grade=lambda exercises, folder: SimpleNamespace(
        internal_errors=[], exercises=[SimpleNamespace(checks=[])]))
    stale = devcheck.Proof("stub")
    (tmp_path / "exercises" / exercise.filename).write_text("# an older stub\n", encoding="utf-8")
    checker._stub(exercise, stale)
    assert any("run `grade stubs`" in problem for problem in stale.problems), stale.problems
    current = devcheck.Proof("stub")
    shutil.copy(committed, tmp_path / "exercises")
    checker._stub(exercise, current)
    assert current.problems == []
