"""`grade progress` and `grade reset`: remembered in the kit's state file, and the learner's work is kept."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from grader.catalog import kit, metadata, stubs
from grader.cli.group import main


@pytest.fixture
def learner_kit(tmp_path, monkeypatch):
    shutil.copytree(kit.KIT_ROOT / "exercises", tmp_path / "exercises")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_progress_follows_grade_run_and_names_the_next_exercise(learner_kit):
    runner = CliRunner()
    fresh = runner.invoke(main, ["progress"])
    assert fresh.exit_code == 0
    catalog = metadata.load()
    count, total = len(catalog.exercises), sum(e.points for e in catalog.exercises)
    assert fresh.stdout.splitlines()[0] == f"Progress: 0/{count} exercises passed, 0/{total:g} points"
    assert "Next: ex01_hypothesis" in fresh.stdout
    solved = (kit.SOLUTIONS_DIR / "ex01_hypothesis.py").read_text(encoding="utf-8")
    (learner_kit / "exercises" / "ex01_hypothesis.py").write_text(solved, encoding="utf-8")
    assert runner.invoke(main, ["run", "1", "2"]).exit_code == 1
    after = runner.invoke(main, ["progress"]).stdout
    points = metadata.load().get("ex01_hypothesis").points
    assert after.splitlines()[0] == f"Progress: 1/{count} exercises passed, {points:g}/{total:g} points"
    assert "✓ ex01_hypothesis            passed" in after
    assert "○ ex02_cost                  not started" in after
    assert "Next: ex02_cost" in after
    bar = after.splitlines()[1]
    assert bar.startswith("[███") and bar.endswith("] 9%")
    # grading another folder (one student's copy) does not touch this kit's progress
    other = learner_kit / "other"
    shutil.copytree(kit.KIT_ROOT / "exercises", other)
    runner.invoke(main, ["run", "1", "--dir", str(other)])
    assert runner.invoke(main, ["progress"]).stdout == after


def test_reset_asks_first_and_keeps_the_learners_file(learner_kit):
    runner = CliRunner()
    target = learner_kit / "exercises" / "ex02_cost.py"
    work = target.read_text(encoding="utf-8").replace("raise NotImplementedError(\"ex02: mse", "return 0  # mine\n    raise NotImplementedError(\"ex02: mse")
    target.write_text(work, encoding="utf-8")
    declined = runner.invoke(main, ["reset", "cost"], input="n\n")
    assert declined.exit_code == 0 and target.read_text(encoding="utf-8") == work
    assert "Your version is kept as ex02_cost.backup.py" in declined.stdout
    accepted = runner.invoke(main, ["reset", "cost"], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    stub = stubs.stub_source((kit.SOLUTIONS_DIR / "ex02_cost.py").read_text(encoding="utf-8"), "ex02_cost.py")
    assert target.read_text(encoding="utf-8") == stub
    assert (learner_kit / "exercises" / "ex02_cost.backup.py").read_text(encoding="utf-8") == work
    # a second reset with --yes keeps the first backup and makes a new one
    target.write_text(work + "# again\n", encoding="utf-8")
    again = runner.invoke(main, ["reset", "2", "--yes"])
    assert again.exit_code == 0
    assert (learner_kit / "exercises" / "ex02_cost.backup.py").read_text(encoding="utf-8") == work
    assert (learner_kit / "exercises" / "ex02_cost.backup-2.py").read_text(encoding="utf-8") == work + "# again\n"
    untouched = runner.invoke(main, ["reset", "2", "--yes"])
    assert "already the untouched exercise" in untouched.stdout
    assert sorted(p.name for p in (learner_kit / "exercises").glob("ex02*")) == [
        "ex02_cost.backup-2.py", "ex02_cost.backup.py", "ex02_cost.py"]
