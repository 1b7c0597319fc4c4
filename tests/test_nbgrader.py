"""`grade nbgrader build` driven through the real nbgrader 0.9.6 CLI: generate, autograde, feedback, export."""

from __future__ import annotations

import csv
import hashlib
import html
import json
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

from grader.catalog import kit, metadata
from grader.grading import notebook as kernel_runtime
from grader.grading.checking import spec_of
from grader.cli.group import main
from grader.instructor.nbgrader_course import COURSE_FILE, checks_of, check_cell_id, course_salt

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
# two lines in the learner's own cell that make every test cell pass in the kernel
PATCH = "\n\nimport grader.grading.notebook\ngrader.notebook.check = lambda exercise, check_id: None\n"

SUBMISSIONS = {
    "correct": {"sum_squared_error": SSE, "mse": MSE},
    "wrong": {"sum_squared_error": WRONG_SSE, "mse": WRONG_MSE},
    # a loop at the top level of one cell, another inside a function: both stopped, the rest graded
    "loops": {"sum_squared_error": SSE + TOP_LEVEL_LOOP, "mse": LOOPING_MSE},
    # the wrong code again, with the test cell of a failing check deleted, another one replaced,
    # and a third one's points and source edited: nbgrader must restore them all
    "tampered": {"sum_squared_error": WRONG_SSE, "mse": WRONG_MSE},
    # the wrong code again, with the kernel's check function rebound: must score what "wrong" scores
    "patching": {"sum_squared_error": WRONG_SSE, "mse": WRONG_MSE + PATCH},
}
# Put first on the import path of every Python process of an autograde: logs each grading run.
COUNTING_SITECUSTOMIZE = """
import os, sys
log = os.environ.get("KIT_TEST_GRADINGS")
argv = list(getattr(sys, "orig_argv", []))
rest = None
if "-m" in argv and argv[argv.index("-m") + 1:argv.index("-m") + 2] == ["grader"]:
    rest = argv[argv.index("-m") + 2:]  # python -m grader run EX
elif "-c" in argv and "run_module('grader'" in argv[argv.index("-c") + 1]:
    rest = argv[argv.index("-c") + 2:]  # the notebook's spelling of python -P -m grader, 3.10 included
if log and rest and rest[0] == "run":
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(" ".join(["grader", *rest[:2]]) + "\\n")
"""
LOG_FORMAT = ["--Application.log_format=%(asctime)s.%(msecs)03d %(message)s", "--Application.log_datefmt=%H:%M:%S"]


def nbgrader(course: Path, *args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the nbgrader CLI of this environment in the course folder (it calls `alembic` from PATH)."""
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    env.pop("PYTHONPATH", None)
    env.update(env_extra or {})
    process = subprocess.run([os.path.join(bin_dir, "nbgrader"), *args], cwd=course, env=env,
                             capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{process.stdout}\n{process.stderr}"
    return process


def grade_ids(course: Path) -> dict[str, str]:
    """check id -> grade id of its test cell in this course (hidden ones salted with the course's salt)."""
    salt = course_salt(course)
    return {spec.id: check_cell_id(EX, spec, salt) for spec in checks_of(EX)}


def check_cell(nb, check_id: str, course: Path):
    return cell(nb, grade_ids(course)[check_id])


def cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def hidden_checks() -> list:
    module = importlib.import_module(f"grader.curriculum.{EX}.checks")
    return [f for f in vars(module).values() if callable(f) and spec_of(f) and spec_of(f).visibility == "hidden"]


def submit(course: Path, student: str, functions: dict[str, str]) -> None:
    """The released notebook with the student's code in the solution cells."""
    nb = nbformat.read(course / "release" / EX / f"{EX}.ipynb", as_version=4)
    for name, code in functions.items():
        cell(nb, f"{EX}-{name}").source = code
    if student == "tampered":
        nb.cells.remove(check_cell(nb, "mse_matches_definition", course))
        check_cell(nb, "mse_is_differentiable", course).source = "pass  # nothing to see here"
        edited = check_cell(nb, "sse_random_batches_float64", course)
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
    # This course takes the opt-in kernel path (learner outputs, interrupted cells); the default,
    # no kernel at all, is test_grading_without_a_kernel_scores_what_grade_run_scores.
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write("\nc.KitExecute.execute_learner_cells = True\n")
    for student, functions in SUBMISSIONS.items():
        submit(course, student, functions)
    counting = tmp_path_factory.mktemp("counting")
    (counting / "sitecustomize.py").write_text(COUNTING_SITECUSTOMIZE, encoding="utf-8")
    gradings = counting / "gradings.log"
    started = time.monotonic()
    log = nbgrader(course, "autograde", EX, *LOG_FORMAT,  # students are created as they come
                   env_extra={"PYTHONPATH": str(counting), "KIT_TEST_GRADINGS": str(gradings)}).stderr
    total = time.monotonic() - started
    seconds = per_submission_seconds(log)
    nbgrader(course, "generate_feedback", EX)
    nbgrader(course, "export")
    print(f"\nautograde: {total:.1f} s for {len(SUBMISSIONS)} submissions; per submission (s):",
          {k: round(v, 1) for k, v in seconds.items()})
    runs = gradings.read_text(encoding="utf-8").splitlines() if gradings.exists() else []
    return {"dir": course, "seconds": seconds, "gradings": runs}


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
    code = code.replace(TOP_LEVEL_LOOP, "").replace(PATCH, "")
    folder = tmp_path / "learner"
    folder.mkdir()
    (folder / f"{EX}.py").write_text(code, encoding="utf-8")
    report = grade(folder, [EX])
    return {c.id: c.points for c in report.exercises[0].checks}


def gradebook_points(course: Path, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(EX, EX, student)
        check_of = {grade_id: check_id for check_id, grade_id in grade_ids(course).items()}
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
    module = importlib.import_module(f"grader.curriculum.{EX}.checks")
    specs = {spec_of(f).id: spec_of(f) for f in vars(module).values() if callable(f) and spec_of(f)}
    assert sorted(m["grade_id"] for m in tests) == sorted(grade_ids(course["dir"]).values())
    assert len(specs) == len(grade_ids(course["dir"]))
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
    assert "timeout" in "".join(check_cell(nb, "mse_returns_0dim_tensor", course["dir"]).outputs[0].traceback)
    nb = nbformat.read(course["dir"] / "autograded" / "wrong" / EX / f"{EX}.ipynb", as_version=4)
    lines = check_cell(nb, "mse_matches_definition", course["dir"]).outputs[0].traceback
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
    # as docs/instructors.md says: a failed hidden check shows its one-line description, a passed one nothing
    failed_hidden = spec_of(next(f for f in hidden if spec_of(f).id == "sse_random_batches_float64")).description
    assert failed_hidden in text
    page = (course["dir"] / "feedback" / "correct" / EX / f"{EX}.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert not any(spec_of(f).description in text for f in hidden)


@pytest.mark.slow
def test_rebinding_the_kernels_check_function_gains_nothing(course):
    patching = gradebook_points(course["dir"], "patching")
    assert patching == gradebook_points(course["dir"], "wrong")
    assert sum(patching.values()) < 12
    nb = nbformat.read(course["dir"] / "autograded" / "patching" / EX / f"{EX}.ipynb", as_version=4)
    lines = check_cell(nb, "mse_matches_definition", course["dir"]).outputs[0].traceback
    assert lines[0].startswith("✗ mse is the mean of the squared errors")


@pytest.mark.slow
def test_autograde_grades_each_notebook_once(course):
    # counted by a sitecustomize on the import path of every process of the autograde (kernels too)
    assert course["gradings"] == [f"grader run {EX}"] * len(SUBMISSIONS)


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
    monkeypatch.setattr(metadata.Exercise, "check_file", property(lambda exercise: tmp_path / "none.py"))
    result = runner.invoke(main, ["nbgrader", "build", str(tmp_path / "course"), EX])
    assert result.exit_code == 2 and "no checks for ex02_cost yet" in result.output
    assert not (tmp_path / "course").exists()


def _hidden_ids(course: Path) -> list[str]:
    nb = nbformat.read(course / "source" / EX / f"{EX}.ipynb", as_version=4)
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "BEGIN HIDDEN TESTS" in c.source]


def test_hidden_grade_ids_are_salted_per_course_and_kept_by_a_rebuild(tmp_path):
    runner = CliRunner()
    ids = {}
    for name in ("a", "b"):
        result = runner.invoke(main, ["nbgrader", "build", str(tmp_path / name), EX])
        assert result.exit_code == 0 and f"wrote {tmp_path / name / COURSE_FILE}" in result.output, result.output
        ids[name] = _hidden_ids(tmp_path / name)
    salt_file = (tmp_path / "a" / COURSE_FILE).read_text(encoding="utf-8")
    rebuilt = runner.invoke(main, ["nbgrader", "build", str(tmp_path / "a"), EX, "--force"])
    assert rebuilt.exit_code == 0 and COURSE_FILE not in rebuilt.output
    assert _hidden_ids(tmp_path / "a") == ids["a"] and (tmp_path / "a" / COURSE_FILE).read_text() == salt_file
    assert len(ids["a"]) == len(hidden_checks()) > 0 and set(ids["a"]).isdisjoint(ids["b"])
    # a student hashing every check id the kit has, in the usual ways, confirms none of them
    guesses = {spec_of(f).id for exercise in metadata.load().exercises
               for f in vars(importlib.import_module(f"{exercise.module_prefix}.checks")).values()
               if callable(f) and spec_of(f)}
    digests = {getattr(hashlib, algorithm)(text.encode()).hexdigest()
               for algorithm in ("sha256", "sha1", "md5") for guess in guesses
               for text in (guess, f"{EX}/{guess}", f"{EX}:{guess}", f"{EX}-{guess}")}
    for grade_id in ids["a"] + ids["b"]:
        suffix = grade_id.rsplit("-", 1)[1]
        assert not any(digest.startswith(suffix) for digest in digests), grade_id
    assert not list((tmp_path / "a" / "source").rglob(COURSE_FILE))  # generate_assignment copies source/ only
    (tmp_path / "a" / COURSE_FILE).write_text("{}")
    broken = runner.invoke(main, ["nbgrader", "build", str(tmp_path / "a"), EX, "--force"])
    assert broken.exit_code == 2 and "hidden_id_salt" in broken.output


def test_autograde_config_replaces_only_nbgraders_execute(tmp_path):
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader
    from traitlets.utils.importstring import import_item

    from grader.instructor.autograde import KitExecute

    assert CliRunner().invoke(main, ["nbgrader", "build", str(tmp_path), EX]).exit_code == 0
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    configured = [import_item(name) for name in config.Autograde.autograde_preprocessors]
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    assert configured == [KitExecute if cls is Execute else cls for cls in default]
    assert config.KitExecute.execute_learner_cells is False  # learner code only in the confined sandbox
    assert KitExecute.class_traits()["execute_learner_cells"].default() is False


def _student_cells(salt: str) -> list[str]:
    """The test cells of the student's notebook, as generate_assignment leaves them (hidden regions gone)."""
    from grader.instructor.nbgrader_course import notebook

    source = notebook(metadata.load().get(EX), SOLUTION, checks_of(EX), salt)
    cells = [c.source for c in source.cells if c.metadata["nbgrader"].get("grade")]
    return [re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", c, flags=re.S) for c in cells]


def test_kernel_runtime_grades_a_notebook_once(monkeypatch, capsys):
    """A learner running the test cells one by one: the first one grades, the others reuse its report."""
    graded = []
    report = {"exercises": [{"id": EX, "checks": [
        {"id": s.id, "description": s.description, "status": "passed", "points": s.points, "max_points": s.points,
         "visibility": s.visibility} for s in checks_of(EX)]}]}

    def fake_run(args, **kwargs):
        graded.append(Path(kwargs["cwd"], f"{EX}.py").read_text(encoding="utf-8"))
        return subprocess.CompletedProcess(args, 0, json.dumps(report), "")

    monkeypatch.setattr(kernel_runtime.subprocess, "run", fake_run)
    monkeypatch.setattr(kernel_runtime, "_reports", {})
    monkeypatch.setattr(kernel_runtime, "_cells", [(SETUP + "\n" + kernel_runtime.SETUP_IMPORT, True), (SSE, True),
                                                   (MSE, True)])
    for source in _student_cells("0" * 64):
        for line in source.splitlines():
            if line.startswith("kit_nb.check("):
                exercise, check_id = re.findall(r'"([^"]+)"', line)
                kernel_runtime.check(exercise, check_id)
        kernel_runtime._cells.append((source, True))  # what the kernel's post_run_cell hook records
    assert len(graded) == 1 and "kit_nb" not in graded[0] and "def mse" in graded[0]
    assert capsys.readouterr().out.count("✓") == sum(s.visibility == "public" for s in checks_of(EX))


def test_graded_code_leaves_out_what_touches_the_kit():
    from grader.grading.notebook import module_code

    honest = [(SETUP + "\n" + kernel_runtime.SETUP_IMPORT, True), (SSE, True), (WRONG_MSE, True)]
    patches = [
        PATCH,
        "\nkit_nb.check = lambda *args: None\n",
        "\nfrom grader import notebook\nnotebook.check = lambda *args: None\n",
        "\nimport grader.grading.notebook as g\nrebind = g\nrebind.check = print\n",
        "\nimport sys\nsys.modules['grader.grading.notebook'].check = print\n",
        "\nimport importlib\nimportlib.import_module('grader.grading.notebook').check = print\n",
        "\ndef cheat():\n    kit_nb.check = print\n\n\ncheat()\n",
    ]
    for patch in patches:
        patched = [(SETUP + "\n" + kernel_runtime.SETUP_IMPORT, True), (SSE, True), (WRONG_MSE + patch, True)]
        kept = [line for line in module_code(patched).splitlines() if line not in ("import sys", "import importlib")]
        assert [line for line in kept if line] == [line for line in module_code(honest).splitlines() if line], patch
    # a cell that raised keeps its definitions; test cells (comments and a grader call) add nothing
    test_cell = ("# a check\nkit_nb.check('a', 'b')", True)
    interrupted = module_code(honest[:2] + [(WRONG_MSE + TOP_LEVEL_LOOP, False), test_cell])
    assert interrupted == module_code(honest)


@pytest.mark.slow
def test_grading_without_a_kernel_scores_what_grade_run_scores(grade, tmp_path):
    """execute_learner_cells = False: no kernel; the learner's code runs only in the sandbox."""
    from nbformat.v4 import new_code_cell
    from nbgrader.utils import determine_grade

    from grader.instructor.autograde import KitExecute
    from grader.instructor.nbgrader_course import notebook

    nb = notebook(metadata.load().get(EX), SOLUTION, checks_of(EX), "0" * 64)
    for name, code in SUBMISSIONS["patching"].items():
        cell(nb, f"{EX}-{name}").source = code
    own = new_code_cell("assert True  # an instructor's own test cell")
    own.metadata["nbgrader"] = {"grade": True, "grade_id": "own", "locked": True, "points": 1.0, "solution": False}
    nb.cells.append(own)
    nb, _ = KitExecute(execute_learner_cells=False).preprocess(nb, {"nbgrader": {"student": "s"}})
    check_of = {grade_id: check_id for check_id, grade_id in
                {s.id: check_cell_id(EX, s, "0" * 64) for s in checks_of(EX)}.items()}
    scores = {check_of[c.metadata["nbgrader"]["grade_id"]]: determine_grade(c)[0] for c in nb.cells
              if c.metadata["nbgrader"].get("grade") and c is not own}
    assert scores == expected_points(grade, tmp_path, SUBMISSIONS["wrong"])
    assert determine_grade(own)[0] == 0  # it could not run, so it cannot pass
    assert not any(c.outputs for c in nb.cells if c.cell_type == "code" and not c.metadata["nbgrader"]["grade"])
