"""Gradescope and PrairieLearn bundles: built by the CLI, their entry points run for real under a temporary root."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.catalog import kit, metadata
from grader.cli.group import main

CORPUS = Path(__file__).parent / "corpus"
POINTS = metadata.load().get("ex02_cost").points
CASES = ("correct", "partly_wrong", "empty", "hostile")

HOSTILE = '''import pathlib
ROOT = {root!r}
for target in ("results/results.json", "pwned"):
    try:
        pathlib.Path(ROOT, target).write_text('{{"score": 100, "gradable": true, "tests": []}}')
    except Exception:
        pass
SECRET = None
for kit in ("source/kit", "tests/kit"):
    try:
        SECRET = pathlib.Path(ROOT, kit, "solutions", "ex02_cost.py").read_text()
    except Exception:
        pass
print('{{"score": 100, "tests": []}}')


def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    raise RuntimeError("leak: " + str(SECRET)[-150:])
'''


def _submit(folder: Path, case: str, root: Path, nested: bool) -> None:
    target = folder / "exercises" if nested else folder
    target.mkdir(parents=True, exist_ok=True)
    if case == "correct":
        shutil.copy(kit.SOLUTIONS_DIR / "ex02_cost.py", target / "ex02_cost.py")
    elif case == "partly_wrong":
        shutil.copy(CORPUS / "mutants" / "ex02_cost" / "sum_instead_of_mean.py", target / "ex02_cost.py")
    elif case == "empty":
        (folder / "notes.txt").write_text("I did not finish\n")
    else:
        (target / "ex02_cost.py").write_text(HOSTILE.format(root=str(root)))


def _run(command: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("GRADE_CONFINEMENT_OFF", "PYTHONPATH")}
    env.update(KIT_PYTHON=sys.executable, **extra)
    return env


@pytest.fixture(scope="module")
def platforms(tmp_path_factory):
    """Build both bundles with the CLI, lay out each platform's container per case, run the entry points."""
    base = tmp_path_factory.mktemp("bundles")
    runner = CliRunner()
    built = runner.invoke(main, ["gradescope", str(base / "autograder.zip"), "ex02", "--hidden", "hidden"])
    assert built.exit_code == 0, built.output
    built = runner.invoke(main, ["prairielearn", str(base / "question"), "ex02"])
    assert built.exit_code == 0, built.output
    jobs = {}
    for case in CASES:
        root = base / "gs" / case
        (root / "source").mkdir(parents=True)
        with zipfile.ZipFile(base / "autograder.zip") as archive:
            archive.extractall(root / "source")
        _submit(root / "submission", case, root, nested=case == "correct")
        jobs[("gradescope", case)] = (["bash", str(root / "source" / "run_autograder")], _env(AUTOGRADER_ROOT=str(root)))
    for case in (*CASES, "unconfined"):
        root = base / "pl" / case
        root.mkdir(parents=True)
        shutil.copytree(base / "question" / "tests", root / "tests")
        _submit(root / "student", "correct" if case == "unconfined" else case, root, nested=False)
        env = _env(GRADE_ROOT=str(root), **({"GRADE_CONFINEMENT_OFF": "landlock"} if case == "unconfined" else {}))
        jobs[("prairielearn", case)] = (["bash", str(root / "tests" / "run.sh")], env)
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(_run, *job) for name, job in jobs.items()}
        done = {name: future.result() for name, future in futures.items()}
    results = {}
    for (platform, case), process in done.items():
        root = base / ("gs" if platform == "gradescope" else "pl") / case
        path = root / "results" / "results.json"
        results[(platform, case)] = {"process": process, "root": root,
                                     "json": json.loads(path.read_text()) if path.exists() else None}
    return {"base": base, "results": results}


def _gradescope_valid(data: dict) -> None:
    """The fields of Gradescope's results.json specification the kit uses, with their types."""
    assert isinstance(data["score"], (int, float))
    assert data["stdout_visibility"] in ("hidden", "after_due_date", "after_published", "visible")
    assert isinstance(data["output"], str)
    assert set(data) <= {"score", "execution_time", "output", "output_format", "test_output_format",
                         "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
    for test in data["tests"]:
        assert set(test) <= {"score", "max_score", "status", "name", "name_format", "number", "output",
                             "output_format", "tags", "visibility", "extra_data"}
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
        assert isinstance(test["output"], str)
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) < 1e-9
    assert sum(t["max_score"] for t in data["tests"]) == POINTS


def _prairielearn_valid(data: dict) -> None:
    """PrairieLearn's external grading results: gradable, score in [0, 1], tests with points."""
    assert isinstance(data["gradable"], bool)
    assert isinstance(data["score"], (int, float)) and 0 <= data["score"] <= 1
    assert isinstance(data["message"], str) and isinstance(data["output"], str)
    for test in data["tests"]:
        assert {"name", "points", "max_points", "message", "output"} <= set(test)
        assert isinstance(test["name"], str) and test["name"]
        assert 0 <= test["points"] <= test["max_points"]
    if data["gradable"]:
        assert sum(t["max_points"] for t in data["tests"]) == POINTS
        assert abs(sum(t["points"] for t in data["tests"]) / POINTS - data["score"]) < 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_gradescope_run_autograder(platforms, case):
    found = platforms["results"][("gradescope", case)]
    assert found["process"].returncode == 0, found["process"].stderr
    data = found["json"]
    _gradescope_valid(data)
    hidden = [t for t in data["tests"] if t["visibility"] != "visible"]
    assert hidden and all(t["visibility"] == "hidden" for t in hidden)
    assert "hidden" not in {t["visibility"] for t in data["tests"] if t not in hidden}
    if case == "correct":  # from an exercises/ folder in the submission
        assert data["score"] == POINTS
    elif case == "partly_wrong":
        assert 0 < data["score"] < POINTS
        assert any("sum" in t["output"].lower() and t["status"] == "failed" for t in data["tests"])
    elif case == "empty":
        assert data["score"] == 0
        assert data["output"].startswith("None of the expected files (ex02_cost.py) is in your submission")
    else:
        assert data["score"] < POINTS
        assert not (found["root"] / "pwned").exists()
        text = json.dumps(data)
        assert "BEGIN SOLUTION" not in text and "leak: None" in text
    assert str(found["root"]) not in json.dumps([t["output"] for t in data["tests"]])


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_prairielearn_entry_point(platforms, case):
    found = platforms["results"][("prairielearn", case)]
    assert found["process"].returncode == 0, found["process"].stderr
    data = found["json"]
    _prairielearn_valid(data)
    assert data["gradable"] is True
    if case == "correct":
        assert data["score"] == 1.0
    elif case == "partly_wrong":
        assert 0 < data["score"] < 1
        assert any(t["points"] < t["max_points"] and "hint" in t["message"] for t in data["tests"])
    elif case == "empty":
        assert data["score"] == 0 and data["message"].startswith("None of the expected files")
    else:
        assert data["score"] < 1
        assert not (found["root"] / "pwned").exists()
        text = json.dumps(data)
        assert "BEGIN SOLUTION" not in text and "leak: None" in text


@pytest.mark.slow
def test_prairielearn_refuses_without_confinement(platforms):
    found = platforms["results"][("prairielearn", "unconfined")]
    data = found["json"]
    _prairielearn_valid(data)
    assert data["gradable"] is False and "could not be graded" in data["message"]


def test_gradescope_bundle_layout(tmp_path):
    result = CliRunner().invoke(main, ["gradescope", str(tmp_path / "ag.zip"), "ex02", "ex06"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        setup = archive.read("setup.sh").decode()
        settings = json.loads(archive.read("kit_bundle.json"))
    assert {"setup.sh", "run_autograder", "kit_bundle.json", "kit/pyproject.toml", "kit/solutions/ex02_cost.py",
            "kit/grader/curriculum/ex02_cost/checks.py", "kit/grader/instructor/gradescope.py"} <= names
    assert not any("__pycache__" in name for name in names)
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert "--index-url https://download.pytorch.org/whl/cpu" in setup and '"torch==' in setup
    assert settings["exercises"] == ["ex02_cost", "ex06_zero_grad"] and settings["hidden_visibility"] == "after_published"


def test_prairielearn_question_layout(tmp_path):
    out = tmp_path / "q"
    result = CliRunner().invoke(main, ["prairielearn", str(out), "2"])
    assert result.exit_code == 0, result.output
    info = json.loads((out / "info.json").read_text())
    assert info["gradingMethod"] == "External" and info["type"] == "v3"
    assert info["externalGradingOptions"]["entrypoint"] == "/grade/tests/run.sh"
    assert 'file-names="ex02_cost.py"' in (out / "question.html").read_text()
    assert (out / "tests" / "run.sh").stat().st_mode & stat.S_IXUSR
    assert (out / "tests" / "kit" / "solutions" / "ex02_cost.py").is_file()
    assert "download.pytorch.org/whl/cpu" in (out / "Dockerfile").read_text()
    again = CliRunner().invoke(main, ["prairielearn", str(out), "2"])
    assert again.exit_code == 2 and "--force" in again.stderr


@pytest.mark.slow
def test_a_closed_kit_still_lends_its_data_sets(tmp_path):
    """setup.sh / run.sh close the kit to the workers' uid, but ex11 reads the kit's wine data through it."""
    runner = CliRunner()
    assert runner.invoke(main, ["gradescope", str(tmp_path / "ag.zip"), "ex11"]).exit_code == 0
    assert runner.invoke(main, ["prairielearn", str(tmp_path / "question"), "ex11"]).exit_code == 0
    gradescope, prairielearn = tmp_path / "gs", tmp_path / "pl"
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        archive.extractall(gradescope / "source")
        setup = archive.read("setup.sh").decode()
    closing = "\n".join(line for line in setup.splitlines() if line.startswith("chmod"))
    assert closing and subprocess.run(["bash", "-c", closing], env={**os.environ, "ROOT": str(gradescope)}).returncode == 0
    assert not (gradescope / "source" / "kit" / "solutions").stat().st_mode & 0o077
    shutil.copytree(tmp_path / "question" / "tests", prairielearn / "tests")
    for folder in (gradescope / "submission", prairielearn / "student"):
        folder.mkdir(parents=True)
        shutil.copy(kit.SOLUTIONS_DIR / "ex11_optimizers.py", folder)
    points = metadata.load().get("ex11_optimizers").points
    ran = _run(["bash", str(gradescope / "source" / "run_autograder")], _env(AUTOGRADER_ROOT=str(gradescope)))
    data = json.loads((gradescope / "results" / "results.json").read_text())
    assert data["score"] == points, (ran.stderr, [t["output"] for t in data["tests"] if t["score"] < t["max_score"]])
    ran = _run(["bash", str(prairielearn / "tests" / "run.sh")], _env(GRADE_ROOT=str(prairielearn)))
    data = json.loads((prairielearn / "results" / "results.json").read_text())
    assert data["score"] == 1.0, (ran.stderr, [t["message"] for t in data["tests"] if t["points"] < t["max_points"]])
    assert not (prairielearn / "tests" / "kit" / "solutions").stat().st_mode & 0o077
