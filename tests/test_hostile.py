"""Hostile learner code: graded timeout/error/failed with a clear message, never a pass or a hang,
and the other exercises in the same run are graded normally."""

from __future__ import annotations

import shutil
import time

import pytest

from conftest import corpus_files, expectations
from grader.catalog import kit

HOSTILE = corpus_files("hostile")
BYSTANDER = "ex06_zero_grad"


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_module_is_contained(path, grade, tmp_path):
    expected = expectations(path)
    exercise_id = expected["exercise"]
    shutil.copy(path, tmp_path / f"{exercise_id}.py")
    shutil.copy(kit.SOLUTIONS_DIR / f"{BYSTANDER}.py", tmp_path / f"{BYSTANDER}.py")

    started = time.monotonic()
    report = grade(tmp_path, [exercise_id, BYSTANDER])
    elapsed = time.monotonic() - started

    hostile, bystander = report.exercises
    assert hostile.status == expected["status"], (hostile.status, hostile.message)
    assert hostile.score < hostile.max_score
    if "max_score" in expected:
        assert hostile.score <= float(expected["max_score"])
    statuses = {check.id: check.status for check in hostile.checks}
    for key, status in expected.items():
        if key.startswith("check."):
            assert statuses[key.removeprefix("check.")] == status, (key, statuses)
    if "message" in expected:
        texts = [hostile.message or ""] + [check.message or "" for check in hostile.checks]
        assert any(expected["message"] in text for text in texts), texts
    assert bystander.status == "passed", [(c.id, c.status, c.message) for c in bystander.checks]
    # deadlines are CPU time; the wall clock is only a backstop against a grader that hangs
    assert elapsed < 10 * float(expected["max_seconds"]), f"took {elapsed:.1f} s"
