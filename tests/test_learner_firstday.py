"""First-day friction: a stub is one line, names resolve with a did-you-mean, the graded folder is named,
and Ctrl-C stops `grade run` at once with status 130, leaving no process behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.catalog import kit
from grader.cli.group import main

GRADE = [sys.executable, "-c", "from grader.cli.group import entry; entry()"]


def _exercise_lines(output: str, exercise_id: str) -> list[str]:
    """The lines of one exercise's block in the text report."""
    lines, inside = [], False
    for line in output.splitlines():
        if line[:1] in "✓✗!⏱○" and len(line) > 2:
            inside = line[2:].startswith(exercise_id)
        elif not line.startswith("    "):
            inside = False
        if inside:
            lines.append(line)
    return lines


def test_a_stub_exercise_is_one_line_until_begun(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["run", "cost", "--dir", str(kit.KIT_ROOT / "exercises")])
    assert result.exit_code == 1
    block = _exercise_lines(result.stdout, "ex02_cost")
    assert len(block) == 1, result.stdout
    assert block[0].startswith("○ ex02_cost") and block[0].endswith("(not started yet)") and "0/12" in block[0]
    assert "waits for" not in result.stdout
    verbose = runner.invoke(main, ["run", "cost", "--dir", str(kit.KIT_ROOT / "exercises"), "-v"])
    assert "not implemented yet" in verbose.stdout  # the details are still there when asked for

    begun = tmp_path / "ex02_cost.py"  # sum_squared_error written, mse still the stub
    source = (kit.SOLUTIONS_DIR / "ex02_cost.py").read_text(encoding="utf-8")
    head, tail = source.split("def mse", 1)
    begun.write_text(head + "def mse(prediction, target):\n    raise NotImplementedError('ex02: mse() is not implemented yet')\n",
                     encoding="utf-8")
    started = runner.invoke(main, ["run", "cost", "--dir", str(tmp_path)])
    block = _exercise_lines(started.stdout, "ex02_cost")
    assert block[0].startswith("✗ ex02_cost") and len(block) > 1, started.stdout
    assert any("mse() is not implemented yet" in line for line in block)


@pytest.mark.parametrize("name, exercise_id", [("ex1", "ex01_hypothesis"), ("1", "ex01_hypothesis"),
                                               ("hypo", "ex01_hypothesis"), ("softmax", "ex09_softmax_classifier"),
                                               ("ex09_soft", "ex09_softmax_classifier"), ("zero", "ex06_zero_grad"),
                                               ("exercises/ex02_cost.py", "ex02_cost")])
def test_names_resolve_by_prefix_and_unpadded_number(tmp_path, monkeypatch, name, exercise_id):
    monkeypatch.chdir(tmp_path)  # hint state goes to this folder's .grade/
    shutil.copytree(kit.KIT_ROOT / "exercises", tmp_path / "exercises")
    result = CliRunner().invoke(main, ["hint", name])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith(f"{exercise_id}: ")


@pytest.mark.parametrize("name, expected", [
    ("sofmax", "grade: unknown exercise 'sofmax': did you mean ex09_softmax_classifier? (see `grade list`)\n"),
    ("regression", "grade: 'regression' could mean ex07_linear_regression or ex08_logistic_regression: "
                   "say which (see `grade list`)\n"),
    ("ex99", "grade: unknown exercise 'ex99' (see `grade list`)\n"),
])
def test_unknown_names_are_one_line_with_a_did_you_mean(name, expected):
    result = CliRunner().invoke(main, ["run", name])
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr == expected


def test_the_report_names_a_folder_that_is_not_the_kits(tmp_path, monkeypatch):
    shutil.copytree(kit.KIT_ROOT / "exercises", tmp_path / "work" / "exercises")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", "ex01", "--dir", "work"])
    assert result.stdout.splitlines()[0] == (
        "Graded the modules in work/exercises (not this kit's exercises/ folder).")
    own = CliRunner().invoke(main, ["run", "ex01", "--dir", str(kit.default_exercises_dir())])
    assert not own.stdout.startswith("Graded the modules in")


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (children first found through /proc's parent links)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("delay", [0.8, 3.0])
def test_ctrl_c_stops_grade_run_at_once_and_leaves_no_process(tmp_path, delay):
    """SIGINT while the zygote starts (0.8 s) and while checks run (3 s): exit 130 within a second."""
    shutil.copytree(kit.KIT_ROOT / "exercises", tmp_path / "exercises")
    (tmp_path / "exercises" / "ex01_hypothesis.py").write_text(  # keeps grading busy past the interrupt
        "def init_parameters():\n    while True:\n        pass\n\n\n"
        "def hypothesis(x, W, b):\n    while True:\n        pass\n", encoding="utf-8")
    process = subprocess.Popen(GRADE + ["run"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=dict(os.environ, PYTHONPATH=str(kit.KIT_ROOT)))
    try:
        _interrupt(process, delay)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def _interrupt(process: subprocess.Popen, delay: float) -> None:
    seen: set[int] = set()
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline:
        seen |= _descendants(process.pid)
        time.sleep(0.05)
    assert process.poll() is None, "grade run finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    sent = time.monotonic()
    out, err = process.communicate(timeout=30)
    took = time.monotonic() - sent
    assert process.returncode == 130, (process.returncode, out.decode()[-500:], err.decode()[-500:])
    assert took < 1.5, took
    assert err.decode().endswith("grade: interrupted\n")
    assert b"Score:" not in out  # no partial report
    assert seen, "the zygote was never seen"
    until = time.monotonic() + 3
    while any(_alive(pid) for pid in seen) and time.monotonic() < until:
        time.sleep(0.05)
    assert not [pid for pid in seen if _alive(pid)]
