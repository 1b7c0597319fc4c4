"""The student kit from `grade release`: torch pinned in its README, no instructor commands in its help,
`grade list` showing the points its public checks award, `grade reset` without the solutions."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.catalog import kit
from grader.instructor.release import build

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def student_kit(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("student") / "kit"
    build(out)
    return out


def _grade(kit_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "GRADE_LANG")}
    env.update(PYTHONPATH=str(kit_dir), LANG="C.UTF-8")
    return subprocess.run([sys.executable, "-c", "from grader.cli.group import entry; entry()", *args], cwd=kit_dir,
                          env=env, input=stdin, capture_output=True, text=True, timeout=300)


def test_student_readme_pins_torch_as_the_kits_readme_does(student_kit):
    pin = re.search(r"pip install (torch==[0-9.]+)", (kit.KIT_ROOT / "README.md").read_text(encoding="utf-8"))[1]
    readme = (student_kit / "README.md").read_text(encoding="utf-8")
    first_install = re.search(r"pip install (\S+)", readme)[1]
    assert first_install == pin
    assert "Python 3.11" in readme and "venv" in readme


def test_student_help_offers_no_instructor_command(student_kit):
    shown = _grade(student_kit, "--help")
    assert shown.returncode == 0
    commands = re.findall(r"^  (\w+)", shown.stdout.split("Commands:")[1], flags=re.M)
    assert {"run", "list", "hint", "progress", "reset", "watch"} <= set(commands)
    assert not {"stubs", "release", "nbgrader", "batch", "gradescope", "prairielearn"} & set(commands)
    refused = _grade(student_kit, "stubs")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "student kit" in refused.stderr and "Traceback" not in refused.stderr


def test_student_list_shows_the_points_its_checks_award(student_kit):
    listed = _grade(student_kit, "list")
    points = {line.split()[0]: float(line.split()[1]) for line in listed.stdout.splitlines()}
    report = json.loads(_grade(student_kit, "run", "--json").stdout)
    assert report["hidden_checks"] == "not included"
    assert points == {e["id"]: e["max_score"] for e in report["exercises"]}
    assert sum(points.values()) == report["max_score"]


def test_student_reset_restores_the_stub_without_solutions(student_kit):
    target = student_kit / "exercises" / "ex01_hypothesis.py"
    stub = target.read_text(encoding="utf-8")
    target.write_text(stub + "# my work\n", encoding="utf-8")
    done = _grade(student_kit, "reset", "1", "--yes")
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8") == stub
    assert (student_kit / "exercises" / "ex01_hypothesis.backup.py").read_text(encoding="utf-8") == stub + "# my work\n"
