"""The `grade` command: exit codes, exact key lines, JSON report shape (grade-cli.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from grader.catalog import kit, metadata
from grader.cli.group import main


@pytest.fixture
def runner():
    return CliRunner()


def test_list_shows_every_exercise_in_order(runner):
    result = runner.invoke(main, ["list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    catalog = metadata.load()
    assert [line.split()[0] for line in lines] == [e.id for e in catalog.exercises]
    assert lines[1] == f"{'ex02_cost':<26} {catalog.get('ex02_cost').points:>4g} pts  Cost: sum of squared errors and MSE"


@pytest.mark.parametrize("name", ["ex02_cost", "ex02", "2", "cost"])
def test_hint_accepts_every_name_form(runner, name):
    result = runner.invoke(main, ["hint", name])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "ex02_cost: Cost: sum of squared errors and MSE"
    assert result.output.splitlines()[1].startswith("  1. ")


def test_unknown_exercise_is_a_usage_error(runner):
    result = runner.invoke(main, ["run", "ex99"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "grade: unknown exercise 'ex99' (see `grade list`)\n"


def test_missing_folder_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["run", "--dir", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no such folder" in result.stderr


def test_solutions_pass_with_json_report(runner):
    result = runner.invoke(main, ["run", "ex02", "--dir", str(kit.SOLUTIONS_DIR), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["schema"] == "grade-report/1"
    assert report["score"] == report["max_score"] == metadata.load().get("ex02_cost").points
    exercise = report["exercises"][0]
    assert set(exercise) >= {"id", "title", "status", "score", "max_score", "checks"}
    assert exercise["status"] == "passed"
    for check in exercise["checks"]:
        assert set(check) == {"id", "description", "status", "points", "max_points", "visibility",
                              "message", "hint", "mistake", "waits_for", "timeout"}
        assert check["waits_for"] == [] and check["timeout"] is None
        assert check["visibility"] in ("public", "hidden")
    assert {"kit_version", "torch_version", "seed", "hidden_checks", "confinement", "files"} <= set(report)
    assert report["seed"] == 20261123 and report["hidden_checks"] in ("included", "not included")
    assert str(kit.KIT_ROOT) not in result.stdout
    assert result.stderr == ""


def test_stub_fails_with_text_report(runner):
    result = runner.invoke(main, ["run", "cost"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("○ ex02_cost") and "0/12" in lines[0]  # not started: one line
    assert lines[1] == ""
    assert lines[2].startswith("Score: 0/12")  # then a note on reduced isolation where layers are missing, and Next
    assert lines[-1].startswith("Next: ex02_cost")
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal
    assert result.stderr == ""


def test_mistake_is_named_in_json(runner, tmp_path):
    (tmp_path / "ex02_cost.py").write_text(
        "def sum_squared_error(p, t):\n    return ((t - p) ** 2).sum()\n\n"
        "def mse(p, t):\n    return ((t - p) ** 2).sum()\n")
    result = runner.invoke(main, ["run", "ex02", "--dir", str(tmp_path), "--json"])
    assert result.exit_code == 1
    checks = {c["id"]: c for c in json.loads(result.stdout)["exercises"][0]["checks"]}
    failed = checks["mse_matches_definition"]
    assert failed["status"] == "failed" and failed["mistake"] == "sum_instead_of_mean"
    assert failed["hint"] == metadata.load().hint_for("sum_instead_of_mean")
    assert "where 25.6667 was expected" in failed["message"]


def test_printed_fake_report_does_not_reach_stdout(tmp_path):
    shutil.copy(kit.KIT_ROOT / "tests" / "corpus" / "hostile" / "patches_everything.py", tmp_path / "ex02_cost.py")
    done = subprocess.run([sys.executable, "-m", "grader", "run", "ex02", "--dir", str(tmp_path), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["score"] < report["max_score"]
    assert done.stderr == ""


@pytest.mark.parametrize("args", [["run", "2", "--seed", "abc"], ["run", "2", "--bogus"], ["hint"], ["hint", "2", "3"]])
def test_click_usage_errors_are_one_line(runner, args):
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("grade: ") and result.stderr.count("\n") == 1


def test_help_goes_to_stdout(runner):
    result = runner.invoke(main, ["run", "--help"])
    assert result.exit_code == 0 and "--dir" in result.stdout and result.stderr == ""


def test_learner_prints_are_shown_under_a_failed_public_check(runner, tmp_path):
    (tmp_path / "ex02_cost.py").write_text(
        "def sum_squared_error(p, t):\n    print('debug: shape', tuple(p.shape))\n    return ((t - p) ** 2).mean()\n\n"
        "def mse(p, t):\n    return ((t - p) ** 2).mean()\n")
    result = runner.invoke(main, ["run", "ex02", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "your code printed: debug: shape (3, 1)" in result.stdout


def _grade_cli(*args: str) -> tuple[int, dict, str]:
    done = subprocess.run([sys.executable, "-m", "grader", "run", "--json", *args], capture_output=True,
                          text=True, timeout=300, cwd=kit.KIT_ROOT)
    return done.returncode, json.loads(done.stdout), done.stderr


def test_real_cli_full_score_on_every_solution():
    code, report, stderr = _grade_cli("--dir", str(kit.SOLUTIONS_DIR))
    assert code == 0 and stderr == ""
    assert report["score"] == report["max_score"] == sum(e.points for e in metadata.load().exercises)
    assert [e["id"] for e in report["exercises"]] == [e.id for e in metadata.load().exercises]


def test_real_cli_zero_on_every_stub():
    code, report, stderr = _grade_cli()
    assert code == 1 and stderr == ""
    assert report["score"] == 0
    assert all(check["status"] != "passed" for e in report["exercises"] for check in e["checks"])
