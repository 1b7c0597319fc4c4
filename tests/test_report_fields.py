"""The report fields grade-cli.md requires: versions, seed, hidden checks, confinement, files,
and per check waits_for and timeout. No field holds an absolute path of the grading machine."""

from __future__ import annotations

import hashlib
import json

import torch

from grader.catalog import kit
from grader.reporting.report import CheckResult, Report, build_exercise, build_report

TOP = {"schema", "kit_version", "torch_version", "seed", "hidden_checks", "confinement", "files", "score",
       "max_score", "exercises"}
CHECK = {"id", "description", "status", "points", "max_points", "visibility", "message", "hint", "mistake",
         "waits_for", "timeout"}


def _check(status: str, **fields) -> CheckResult:
    return CheckResult(id="c", description="d", status=status, points=0.0, max_points=1.0, visibility="public",
                       **fields)


def test_top_level_fields(tmp_path):
    present = tmp_path / "ex02_cost.py"
    present.write_text("x = 1\n")
    report = build_report([build_exercise("ex02_cost", "t", [_check("passed")], None)], seed=7,
                          hidden_included=False, module_paths=[present, tmp_path / "ex03_manual_gradient.py"],
                          confinement=["landlock", "pid-namespace"])
    data = report.to_json()
    assert set(data) == TOP
    assert data["seed"] == 7 and data["torch_version"] == torch.__version__
    assert data["kit_version"] and data["hidden_checks"] == "not included"
    assert data["confinement"] == ["landlock", "pid-namespace"]
    assert data["files"] == [
        {"file": "ex02_cost.py", "sha256": hashlib.sha256(b"x = 1\n").hexdigest()},
        {"file": "ex03_manual_gradient.py", "sha256": None},
    ]
    assert str(tmp_path) not in json.dumps(data)


def test_confinement_defaults_to_empty():
    report = Report(score=0, max_score=0, exercises=[], seed=1)
    assert report.to_json()["confinement"] == [] and report.to_json()["hidden_checks"] == "included"


def test_check_fields_waits_for_and_timeout():
    skipped = _check("skipped", waits_for=["a", "b"]).to_json()
    assert set(skipped) == CHECK and skipped["waits_for"] == ["a", "b"] and skipped["timeout"] is None
    timed_out = _check("timeout", timeout="cpu").to_json()
    assert timed_out["timeout"] == "cpu" and timed_out["waits_for"] == []
    assert _check("failed", waits_for=["a"], timeout="wall").to_json() | {} == _check("failed").to_json()


def test_graded_report_has_the_fields(grade, tmp_path):
    (tmp_path / "ex02_cost.py").write_text("def sum_squared_error(p, t):\n    return ((t - p) ** 2).sum()\n")
    report = grade(tmp_path, ["ex02_cost"])
    data = report.to_json()
    assert set(data) == TOP
    checks = {c["id"]: c for c in data["exercises"][0]["checks"]}
    assert all(set(c) == CHECK for c in checks.values())
    assert checks["mse_matches_definition"]["status"] == "skipped"
    assert checks["mse_matches_definition"]["waits_for"] == ["mse_returns_0dim_tensor"]
    assert checks["mse_returns_0dim_tensor"]["waits_for"] == []
    assert str(tmp_path) not in json.dumps(data) and str(kit.KIT_ROOT) not in json.dumps(data)


def test_missing_module_names_no_folder(grade, tmp_path):
    report = grade(tmp_path, ["ex02_cost"])
    text = json.dumps(report.to_json())
    assert str(tmp_path) not in text and "ex02_cost.py" in text
