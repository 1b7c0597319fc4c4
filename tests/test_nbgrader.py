"""`grade nbgrader build` driven through the real nbgrader 0.9.6 CLI: generate, autograde, feedback, export."""

from __future__ import annotations

import csv
import html
import importlib
import inspect
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import kit, metadata
from grader.checking import spec_of
from grader.cli import main
from grader.instructor.nbgrader_course import checks_of, check_cell_id

pytest.importorskip("nbgrader")
import nbformat  # noqa: E402 - only with nbgrader installed

EX = "ex02_cost"
CELL_TIMEOUT = 15  # seconds; a loop at cell top level costs this much wall time
SOLUTION = (kit.SOLUTIONS_DIR / f"{EX}.py").read_text(encoding="utf-8")
SETUP = "import torch\nfrom torch import Tensor\n"
SSE = "def sum_squared_error(prediction, target):\n    return ((target - prediction) ** 2).sum()\n"
MSE = "def mse(prediction, target):\n    return ((target - prediction) ** 2).mean()\n"
# wrong: mse sums (a public check fails and names the mistake); sse is right only for 3 samples,
# so a hidden check fails and must not show its inputs or expected values
WRONG_SSE = ("def sum_squared_error(prediction, target):\n    s = ((target - prediction) ** 2).sum()\n"
             "    return s if prediction.shape[0] == 3 else s * 1.01\n")
WRONG_MSE = "def mse(prediction, target):\n    return ((target - prediction) ** 2).sum()\n"
LOOPING_MSE = "def mse(prediction, target):\n    while True:\n        pass\n"
TOP_LEVEL_LOOP = "\n\nwhile True:  # at cell top level: only nbgrader's cell timeout stops it\n    pass\n"

SUBMISSIONS = {
    "correct": {"sum_squared_error": SSE, "mse": MSE},
    "wrong": {"sum_squared_error": WRONG_SSE, "mse": WRONG_MSE},
    # a loop at the top level of one cell, another inside a function: both stopped, the rest graded
    "loops": {"sum_squared_error": SSE + TOP_LEVEL_LOOP, "mse": LOOPING_MSE},
    # the wrong code again, with the test cell of a failing check deleted, another one replaced,
    # and a third one's points and source edited: nbgrader must restore them all
    "tampered": {"sum_squared_error": WRONG_SSE, "mse": WRONG_MSE},
}
LOG_FORMAT = ["--Application.log_format=%(asctime)s.%(msecs)03d %(message)s", "--Application.log_datefmt=%H:%M:%S"]


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the nbgrader CLI of this environment in the course folder (it calls `alembic` from PATH)."""
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    env.pop("PYTHONPATH", None)
    process = subprocess.run([os.path.join(bin_dir, "nbgrader"), *args], cwd=course, env=env,
                             capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{process.stdout}\n{process.stderr}"
    return process


def check_cell(nb, check_id: str):
    return cell(nb, check_cell_id(EX, next(s for s in checks_of(EX) if s.id == check_id)))


def cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def hidden_checks() -> list:
    module = importlib.import_module(f"grader.checks.check_{EX}")
    return [f for f in vars(module).values() if callable(f) and spec_of(f) and spec_of(f).visibility == "hidden"]


def submit(course: Path, student: str, functions: dict[str, str]) -> None:
    """The released notebook with the student's code in the solution cells."""
    nb = nbformat.read(course / "release" / EX / f"{EX}.ipynb", as_version=4)
    for name, code in functions.items():
        cell(nb, f"{EX}-{name}").source = code
    if student == "tampered":
        nb.cells.remove(check_cell(nb, "mse_matches_definition"))
        check_cell(nb, "mse_is_differentiable").source = "pass  # nothing to see here"
        edited = check_cell(nb, "sse_random_batches_float64")
        edited.metadata["nbgrader"]["points"] = 0.0
        edited.source = "pass"
    folder = course / "submitted" / student / EX
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / f"{EX}.ipynb"))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course built, generated (twice: a rebuild needs --force), autograded, with feedback and grades.csv."""
    course = tmp_path_factory.mktemp("course")
    runner = CliRunner()
    built = runner.invoke(main, ["nbgrader", "build", str(course), EX, "--timeout", str(CELL_TIMEOUT)])
    assert built.exit_code == 0, built.output
    nbgrader(course, "generate_assignment", EX)
    again = runner.invoke(main, ["nbgrader", "build", str(course), EX])
    assert again.exit_code == 2 and "use --force" in again.output
    rebuilt = runner.invoke(main, ["nbgrader", "build", str(course), EX, "--force", "--timeout", str(CELL_TIMEOUT)])
    assert rebuilt.exit_code == 0, rebuilt.output
    nbgrader(course, "generate_assignment", EX, "--force")
    for student, functions in SUBMISSIONS.items():
        submit(course, student, functions)
    started = time.monotonic()
    log = nbgrader(course, "autograde", EX, *LOG_FORMAT).stderr  # students are created as they come
    total = time.monotonic() - started
    seconds = per_submission_seconds(log)
    nbgrader(course, "generate_feedback", EX)
    nbgrader(course, "export")
    print(f"\nautograde: {total:.1f} s for {len(SUBMISSIONS)} submissions; per submission (s):",
          {k: round(v, 1) for k, v in seconds.items()})
    return {"dir": course, "seconds": seconds}


def per_submission_seconds(log: str) -> dict[str, float]:
    """From nbgrader's timestamped log: first line about a student's submission to the last one."""
    spans: dict[str, list[float]] = {}
    for line in log.splitlines():
        stamp = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) ", line)
        found = re.search(r"/(submitted|autograded)/([^/]+)/" + EX, line)
        if stamp and found:
            h, m, sec, ms = map(int, stamp.groups())
            spans.setdefault(found.group(2), []).append(h * 3600 + m * 60 + sec + ms / 1000)
    return {student: max(times) - min(times) for student, times in spans.items()}


def expected_points(grade, tmp_path: Path, functions: dict[str, str]) -> dict[str, float]:
    """What `grade run` gives the same code (the loop at top level excepted: the kernel kept the def)."""
    code = SETUP + "\n\n" + "\n\n".join(functions.values())
    code = code.replace(TOP_LEVEL_LOOP, "")
    folder = tmp_path / "learner"
    folder.mkdir()
    (folder / f"{EX}.py").write_text(code, encoding="utf-8")
    report = grade(folder, [EX])
    return {c.id: c.points for c in report.exercises[0].checks}


def gradebook_points(course: Path, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(EX, EX, student)
        check_of = {check_cell_id(EX, spec): spec.id for spec in checks_of(EX)}
        return {check_of[g.name]: g.score for g in notebook.grades}


@pytest.mark.slow
def test_source_notebook_has_valid_nbgrader_metadata(course):
    from nbgrader.nbgraderformat import MetadataValidator

    nb = nbformat.read(course["dir"] / "source" / EX / f"{EX}.ipynb", as_version=4)
    MetadataValidator().validate_nb(nb)
    metas = [c.metadata["nbgrader"] for c in nb.cells]
    assert all(m["schema_version"] == 3 and re.fullmatch(r"[a-zA-Z0-9_\-]+", m["grade_id"]) for m in metas)
    assert len({m["grade_id"] for m in metas}) == len(metas)
    for c, m in zip(nb.cells, metas):
        assert set(m) <= {"grade", "grade_id", "locked", "schema_version", "solution", "task", "points"}
        if c.cell_type == "markdown" or m["grade_id"].endswith("-setup"):
            assert m["locked"] and not m["grade"] and not m["solution"]
    tests = [m for m in metas if m["grade"]]
    module = importlib.import_module(f"grader.checks.check_{EX}")
    specs = {spec_of(f).id: spec_of(f) for f in vars(module).values() if callable(f) and spec_of(f)}
    assert sorted(m["grade_id"] for m in tests) == sorted(check_cell_id(EX, s) for s in specs.values())
    assert [m["points"] for m in tests] == [s.points for s in checks_of(EX)]
    hidden_sources = [c.source for c in nb.cells if "BEGIN HIDDEN TESTS" in c.source]
    assert len(hidden_sources) == len(hidden_checks())
    release = nbformat.read(course["dir"] / "release" / EX / f"{EX}.ipynb", as_version=4)
    assert "BEGIN SOLUTION" not in str(release) and "HIDDEN" not in str(release)
    assert "((target - prediction) ** 2).mean()" not in str(release)


@pytest.mark.slow
def test_autograded_scores_match_the_kit_and_survive_tampering(course, grade, tmp_path_factory):
    with open(course["dir"] / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    expected = {student: expected_points(grade, tmp_path_factory.mktemp(student), functions)
                for student, functions in SUBMISSIONS.items()}
    for student in SUBMISSIONS:
        assert gradebook_points(course["dir"], student) == expected[student], student
        assert float(rows[student]["score"]) == sum(expected[student].values()), student
        assert float(rows[student]["max_score"]) == 12.0
    assert float(rows["correct"]["score"]) == 12.0
    wrong = expected["wrong"]
    assert wrong["mse_matches_definition"] == 0 and wrong["sse_matches_definition"] == 2
    assert wrong["sse_random_batches_float64"] == 0 and 0 < sum(wrong.values()) < 12
    looping = expected["loops"]  # the def before the interrupted top-level loop was kept, as in the kernel
    assert looping["sse_matches_definition"] == 2 and looping["mse_returns_0dim_tensor"] == 0
    assert expected["tampered"] == wrong  # editing or deleting test cells gains nothing


@pytest.mark.slow
def test_test_cells_write_no_stderr_no_value_and_fail_in_a_few_lines(course):
    for student in SUBMISSIONS:
        nb = nbformat.read(course["dir"] / "autograded" / student / EX / f"{EX}.ipynb", as_version=4)
        for c in nb.cells:
            if not c.metadata.get("nbgrader", {}).get("grade"):
                continue
            for output in c.outputs:
                assert output.output_type in ("stream", "error"), (student, output)
                assert output.get("name") != "stderr", (student, output)
                if output.output_type == "error":
                    text = "\n".join(output.traceback)
                    assert output.ename in ("CheckFailed", "CellTimeoutError") and "Traceback" not in text
                    assert 'File "' not in text and len(output.traceback) <= 4
    nb = nbformat.read(course["dir"] / "autograded" / "loops" / EX / f"{EX}.ipynb", as_version=4)
    assert any(o.output_type == "error" for o in cell(nb, f"{EX}-sum_squared_error").outputs)  # interrupted
    assert "timeout" in "".join(check_cell(nb, "mse_returns_0dim_tensor").outputs[0].traceback)
    nb = nbformat.read(course["dir"] / "autograded" / "wrong" / EX / f"{EX}.ipynb", as_version=4)
    lines = check_cell(nb, "mse_matches_definition").outputs[0].traceback
    assert lines[0].startswith("✗ mse is the mean of the squared errors") and "hint:" in lines[-1]


@pytest.mark.slow
def test_feedback_shows_no_hidden_check_source_or_inputs(course):
    hidden = hidden_checks()
    secrets = [line.strip() for f in hidden for line in inspect.getsource(f).splitlines()[2:] if len(line.strip()) > 12]
    secrets += [spec_of(f).id for f in hidden] + ["BEGIN HIDDEN TESTS"]
    for student in SUBMISSIONS:
        page = (course["dir"] / "feedback" / student / EX / f"{EX}.html").read_text(encoding="utf-8")
        text = html.unescape(re.sub(r"<[^>]+>", "", page))
        for secret in secrets:
            assert secret not in text, (student, secret)
    page = (course["dir"] / "feedback" / "wrong" / EX / f"{EX}.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "sum_squared_error returned a wrong value" in text  # the hidden failure, without values
    assert "mse returned 77 where 25.6667 was expected" in text  # a public failure shows them


@pytest.mark.slow
def test_autograde_wall_time_per_submission(course):
    seconds = course["seconds"]
    assert set(seconds) == set(SUBMISSIONS)
    assert seconds["correct"] < 120  # ~10 s on an idle 2-core machine
    # the loops cost the cell timeout (top level) and the call timeout (in the function), no more
    budget = metadata.load().get(EX).budget
    assert CELL_TIMEOUT <= seconds["loops"] < seconds["correct"] + CELL_TIMEOUT + budget + 30


def test_build_refuses_exercises_without_checks_and_a_file_as_course(tmp_path, monkeypatch):
    runner = CliRunner()
    (tmp_path / "file").write_text("x")
    result = runner.invoke(main, ["nbgrader", "build", str(tmp_path / "file"), EX])
    assert result.exit_code == 2 and result.output == f"grade: {tmp_path / 'file'} exists and is not a folder\n"
    monkeypatch.setattr(kit, "check_file", lambda exercise_id: tmp_path / "none.py")
    result = runner.invoke(main, ["nbgrader", "build", str(tmp_path / "course"), EX])
    assert result.exit_code == 2 and "no checks for ex02_cost yet" in result.output
    assert not (tmp_path / "course").exists()
