"""Deadlines count the CPU time learner code used: a busy machine never fails correct code, a
spinning loop is stopped for its CPU, and a call that only sleeps is stopped as a wall timeout."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys

import pytest

from grader.catalog import kit, metadata
from grader.sandbox.client import LearnerModule
from grader.grading.outcomes import LearnerTimeout

SPIN = "import time\nend = time.time() + 600\nwhile time.time() < end:\n    pass\n"


@pytest.fixture
def busy_machine():
    """Three spinning processes on a two-core machine for the duration of the test."""
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(3)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


@pytest.mark.slow
def test_solutions_pass_every_check_on_a_busy_machine(busy_machine, grade):
    report = grade(kit.SOLUTIONS_DIR)
    failed = [(ex.id, check.id, check.status, check.message)
              for ex in report.exercises for check in ex.checks if check.status != "passed"]
    assert not failed
    assert report.score == report.max_score


@pytest.mark.slow
def test_a_batch_pinned_to_its_cores_passes_every_solution_on_a_busy_machine(busy_machine, tmp_path):
    """One grading process per core, each kept to its core, with three spinners competing for them."""
    for student in ("amy", "ben"):
        folder = tmp_path / "class" / student
        shutil.copytree(kit.SOLUTIONS_DIR, folder, ignore=shutil.ignore_patterns("__*"))
        for module in folder.glob("ex*.py"):  # two different submissions: both are graded
            module.write_text(module.read_text(encoding="utf-8") + f"# {student}\n", encoding="utf-8")
    jobs = len(os.sched_getaffinity(0))
    done = subprocess.run([sys.executable, "-m", "grader", "batch", str(tmp_path / "class"), "--out",
                           str(tmp_path / "out"), "--jobs", str(jobs), "--no-progress"],
                          capture_output=True, text=True, cwd=kit.KIT_ROOT, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(tmp_path / "out" / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    full = sum(exercise.points for exercise in metadata.load().exercises)
    assert {student: (row["total"], row["status"]) for student, row in rows.items()} == {
        "amy": (f"{full:g}", "graded"), "ben": (f"{full:g}", "graded")}


@pytest.fixture
def learner_module(zygote, tmp_path):
    """learner_module(source, call_timeout) -> a LearnerModule for that source, closed after the test."""
    made: list[LearnerModule] = []

    def make(source: str, call_timeout: float = 1.0) -> LearnerModule:
        path = tmp_path / "ex01_hypothesis.py"
        path.write_text(source)
        made.append(LearnerModule(zygote=zygote, path=path, name="ex01_hypothesis", budget=30,
                                  call_timeout=call_timeout, monitor=False))
        return made[-1]

    yield make
    for module in made:
        module.close()


def test_a_spinning_call_is_stopped_for_its_cpu_time(learner_module):
    module = learner_module("def hypothesis(x, W, b):\n    while True:\n        pass\n")
    with pytest.raises(LearnerTimeout) as caught:
        module.call("hypothesis", 1, 2, 3)
    assert caught.value.kind == "cpu"
    assert "CPU time" in caught.value.message and "infinite loop" in caught.value.message
    assert module.spent >= 1.0  # what was charged to the budget is CPU time, and all of it


def test_a_sleeping_call_is_a_wall_timeout_not_an_infinite_loop(learner_module, monkeypatch):
    from grader.sandbox import clocks

    monkeypatch.setattr(clocks, "idle_limit", lambda cpu_timeout: 1.5)
    module = learner_module("import time\ndef hypothesis(x, W, b):\n    time.sleep(60)\n")
    with pytest.raises(LearnerTimeout) as caught:
        module.call("hypothesis", 1, 2, 3)
    assert caught.value.kind == "wall"
    assert "without using the CPU" in caught.value.message
    assert "infinite loop" not in caught.value.message
    assert module.spent < 0.5  # sleeping costs the budget nothing


def test_waiting_for_a_cpu_is_not_charged(learner_module, busy_machine):
    """A call that needs 0.6 s of CPU finishes within a 1 s CPU allowance even when starved."""
    source = ("import time\ndef hypothesis(x, W, b):\n    end = time.process_time() + 0.6\n"
              "    while time.process_time() < end:\n        pass\n    return 1.0\n")
    module = learner_module(source, call_timeout=1.0)
    assert module.call("hypothesis", 1, 2, 3).value == 1.0
