"""`grade release`: the student kit holds no solution and no hidden check, installs, and grades with recorded references."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import os
import shutil
import subprocess
import sysconfig
import venv
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from grader.catalog import kit, metadata, stubs
from grader.grading.checking import spec_of
from grader.cli.group import main
from grader.grading.recorded_oracle import (RecordedOracle, RecordingOracle, ReferenceUnavailable, UnrecordableArgument, key,
                                    undecode)
from grader.instructor.release import ReleaseError, build, strip_hidden
from grader.sandbox.codec import decode, meta, roundtrip

CHECKED = [e.id for e in metadata.load().exercises if metadata.check_file(e.id).exists()]


def hidden_check_sources() -> list[str]:
    """inspect.getsource of every hidden check, from the check modules as they are on disk now."""
    found = []
    for exercise_id in CHECKED:
        path = metadata.check_file(exercise_id)
        spec = importlib.util.spec_from_file_location(f"_fresh_check_{exercise_id}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for value in vars(module).values():
            check_spec = spec_of(value) if inspect.isfunction(value) else None
            if check_spec is not None and check_spec.visibility == "hidden":
                found.append(inspect.getsource(value))
    return found


# stripping ---------------------------------------------------------------------------------
SOURCE = '''"""Checks."""

import torch

EXERCISE = "ex02_cost"
SHARED = 3
ONLY_HIDDEN = [1.5, 2.5]


def _hidden_helper(n):
    return torch.ones(n) * ONLY_HIDDEN[0]


@check(points=1)
def test_public(learner):
    """public one"""
    assert SHARED


# a comment about the hidden check
@check(points=1, visibility="hidden", depends=["public"])
def test_secret(learner):
    """hidden one"""
    assert _hidden_helper(SHARED).sum()


@check(points=2, visibility="public")
def test_public_two(learner):
    """public two"""
    assert True
'''

EXPECTED = '''"""Checks."""

import torch

EXERCISE = "ex02_cost"
SHARED = 3


@check(points=1)
def test_public(learner):
    """public one"""
    assert SHARED


@check(points=2, visibility="public")
def test_public_two(learner):
    """public two"""
    assert True
'''


def test_strip_hidden_removes_hidden_checks_and_their_private_helpers():
    text, hidden = strip_hidden(SOURCE, "check_x.py")
    assert hidden == ["test_secret"]
    for gone in ("test_secret", "_hidden_helper", "ONLY_HIDDEN", "hidden one", "a comment about the hidden"):
        assert gone not in text
    assert "SHARED = 3" in text  # still used by a public check
    assert text == EXPECTED


def test_strip_hidden_keeps_a_module_without_hidden_checks_byte_identical():
    source = SOURCE.replace('visibility="hidden"', 'visibility="public"')
    assert strip_hidden(source, "check_x.py") == (source, [])


def test_strip_hidden_refuses_a_computed_visibility():
    with pytest.raises(ReleaseError, match="string literal"):
        strip_hidden(SOURCE.replace('visibility="hidden"', "visibility=HIDDEN"), "check_x.py")


# recorded answers --------------------------------------------------------------------------
def test_keys_depend_on_values_dtype_shape_and_grad_only():
    a = torch.tensor([[1.0], [2.0]])
    assert key("ex", "expected", "f", (a,), {}) == key("ex", "expected", "f", (a.clone(),), {})
    others = [(a.double(),), (a.reshape(2),), (a + 1,), (a.clone().requires_grad_(),), (a, 1)]
    keys = {key("ex", "expected", "f", args, {}) for args in others}
    assert len(keys) == len(others) and key("ex", "expected", "f", (a,), {}) not in keys
    assert key("ex", "expected", "f", (), {"lr": 0.1}) != key("ex", "expected", "f", (), {"lr": 0.2})
    with pytest.raises(UnrecordableArgument, match="object"):
        key("ex", "expected", "f", (object(),), {})


def test_undecode_is_the_inverse_of_decode():
    W = torch.zeros(1, requires_grad=True)
    (W * 2).sum().backward()
    value = roundtrip({"W": W, "costs": [1.0, 2.0], "pair": (torch.ones(2) * W, None), "name": "x"})
    again = decode(undecode(value))
    assert meta(again["W"]) == meta(value["W"]) and torch.equal(again["W"], value["W"])
    assert meta(again["pair"][0]).grad_fn == meta(value["pair"][0]).grad_fn
    assert again["costs"] == [1.0, 2.0] and again["pair"][1] is None and again["name"] == "x"


def test_recorded_answers_replay_and_an_unrecorded_input_is_skipped_not_failed(zygote, catalog, tmp_path):
    from grader.grading.runner import run

    chosen = metadata.resolve(catalog, ["ex02_cost"])
    recording = RecordingOracle()
    first = run(chosen, kit.SOLUTIONS_DIR, zygote=zygote, oracle=recording)
    assert first.passed and recording.answers
    path = recording.save(tmp_path / "oracle.pt")
    replayed = RecordedOracle.load(path)
    assert run(chosen, kit.SOLUTIONS_DIR, zygote=zygote, oracle=replayed, hidden_included=False).passed

    other_seed = run(chosen, kit.SOLUTIONS_DIR, zygote=zygote, oracle=replayed, seed=7, hidden_included=False)
    skipped = [c for e in other_seed.exercises for c in e.checks if c.status == "skipped"]
    assert skipped, "a randomised check that asks the oracle should miss with another seed"
    assert not [c for e in other_seed.exercises for c in e.checks if c.status in ("failed", "error")]
    assert "without --seed" in skipped[0].message and not other_seed.internal_errors
    assert other_seed.to_json()["hidden_checks"] == "not included" and other_seed.to_json()["seed"] == 7
    with pytest.raises(ReferenceUnavailable):
        replayed.expected("ex02_cost", "mse", torch.ones(5, 1), torch.zeros(5, 1))


# the command -------------------------------------------------------------------------------
def test_release_refuses_a_non_empty_folder_and_the_kit_itself(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["release", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output == f"grade: {tmp_path / 'out'} exists and is not empty (use --force to replace it)\n"
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"
    result = CliRunner().invoke(main, ["release", str(kit.KIT_ROOT), "--force"])
    assert result.exit_code == 2 and "holds the kit itself" in result.output


@pytest.mark.slow
def test_release_fails_clearly_when_a_solution_fails_a_public_check(tmp_path, monkeypatch):
    broken = tmp_path / "solutions"
    shutil.copytree(kit.SOLUTIONS_DIR, broken, ignore=shutil.ignore_patterns("__pycache__"))
    text = (broken / "ex02_cost.py").read_text()
    # the solutions are also the oracle, so break a check that has its own truth (no forbidden call)
    (broken / "ex02_cost.py").write_text(text.replace("return ((target - prediction) ** 2).mean()",
                                                      "return torch.nn.functional.mse_loss(prediction, target)"))
    monkeypatch.setattr(kit, "SOLUTIONS_DIR", broken)
    with pytest.raises(ReleaseError) as caught:
        build(tmp_path / "out")
    assert caught.value.status == 1
    assert "must pass every public check" in str(caught.value) and "ex02_cost: no_library_mse: failed" in str(caught.value)
    assert not (tmp_path / "out").exists() and [p.name for p in tmp_path.iterdir()] == ["solutions"]


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "student-kit"
    summary = build(out)
    assert summary.hidden_removed > 0 and summary.answers > 0
    return out


@pytest.mark.slow
def test_release_holds_stubs_public_checks_and_recorded_answers_only(released):
    assert not (released / "solutions").exists() and not (released / "grader" / "mistakes").exists()
    for name in metadata.INSTRUCTOR_ONLY:  # no exercise folder keeps its variants, solution or learner samples
        assert not list((released / "grader" / "curriculum").glob(f"*/{name}")), name
    shipped = sorted(p.name for p in (released / "grader" / "curriculum").iterdir() if (p / "exercise.toml").is_file())
    assert shipped == sorted(e.id for e in metadata.load().exercises)  # the course, nothing more
    assert not list(released.rglob("__pycache__")) and not list(released.rglob("*.pyc"))
    for solution in stubs.solution_files(kit.SOLUTIONS_DIR):
        stub = (released / "exercises" / solution.name).read_text(encoding="utf-8")
        assert stub == stubs.stub_source(solution.read_text(encoding="utf-8"), solution.name)
    for exercise_id in CHECKED:
        released_checks = (released / "grader" / "curriculum" / exercise_id / "checks.py").read_text(encoding="utf-8")
        assert 'visibility="hidden"' not in released_checks
    data = torch.load(released / "grader" / "recorded" / "oracle.pt", weights_only=True)
    assert data["format"] == "kit-oracle/1" and data["answers"]
    pyproject = (released / "pyproject.toml").read_text(encoding="utf-8")
    assert 'grade = "grader.cli.group:entry"' in pyproject and '"torch>=2.1"' in pyproject
    assert "Hidden checks run when your work is\ngraded" in (released / "README.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_release_leaks_no_solution_body_and_no_hidden_check(released):
    secrets = [body.strip() for s in stubs.solution_files(kit.SOLUTIONS_DIR)
               for body in stubs.solution_bodies(s.read_text(encoding="utf-8"), s.name)]
    secrets += hidden_check_sources()
    assert len(secrets) > 10
    for path in (p for p in released.rglob("*") if p.is_file()):
        raw = path.read_bytes()  # oracle.pt too: search the raw bytes
        for secret in secrets:
            assert secret.encode("utf-8") not in raw, f"{path.relative_to(released)} contains:\n{secret}"


def _student_venv(path: Path) -> Path:
    """A fresh venv that borrows torch/numpy/click/pytest from this environment.

    Reinstalling torch into a nested venv would take minutes, so a .pth file adds this
    environment's site-packages at the END of the new venv's sys.path: the released kit
    installed into the new venv comes first; only its dependencies come from outside.
    (Only the .pth's path line is read; the outer .pth files, e.g. the instructor kit's
    editable finder, are not run, so the instructor's `grader` stays invisible.)
    """
    venv.EnvBuilder(with_pip=False).create(path)
    python = path / "bin" / "python"
    purelib = subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                      text=True).strip()
    Path(purelib, "_outer_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@pytest.mark.slow
def test_released_kit_installs_in_a_fresh_venv_and_grades(released, tmp_path):
    student = tmp_path / "student"
    shutil.copytree(released, student)
    python = _student_venv(tmp_path / "venv")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GRADE_DEBUG")}
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    str(student)], check=True, env=env, capture_output=True)
    where = subprocess.run([python, "-c", "import grader; print(grader.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert Path(where).is_relative_to(tmp_path / "venv")
    grade = [str(tmp_path / "venv" / "bin" / "grade"), "run", *CHECKED]

    stubs_run = subprocess.run(grade, cwd=student, env=env, capture_output=True, text=True)
    assert stubs_run.returncode == 1, stubs_run.stderr
    assert stubs_run.stderr == ""
    assert "Only the public checks ran here; hidden checks run when your work is graded." in stubs_run.stdout
    assert f"({0}/" in stubs_run.stdout.split("Score: ")[1] and "Score: 0/" in stubs_run.stdout

    for solution in stubs.solution_files(kit.SOLUTIONS_DIR):
        shutil.copy(solution, student / "exercises" / solution.name)
    solved = subprocess.run([*grade, "--json"], cwd=student, env=env, capture_output=True, text=True)
    report = json.loads(solved.stdout)
    failing = [(e["id"], c["id"], c["message"]) for e in report["exercises"] for c in e["checks"] if c["status"] != "passed"]
    assert solved.returncode == 0 and not failing, failing
    assert report["schema"] == "grade-report/1" and report["score"] == report["max_score"] > 0
    assert report["hidden_checks"] == "not included" and report["confinement"]
    assert all(c["visibility"] == "public" for e in report["exercises"] for c in e["checks"])

    plot = [str(tmp_path / "venv" / "bin" / "grade"), "run", "ex07", "--plot"]
    plotted = subprocess.run(plot, cwd=student, env=env, capture_output=True, text=True)
    assert plotted.returncode == 0, plotted.stdout + plotted.stderr
    assert "follows the reference" in plotted.stdout  # the reference run was recorded at release time
