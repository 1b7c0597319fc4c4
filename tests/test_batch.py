"""`grade batch`: a generated class graded end to end, interrupted and resumed; entries, archives, summary, --dir."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.catalog import kit, metadata
from grader.cli.group import main
from grader.instructor import notebook_child
from grader.instructor import submissions as subs
from grader.instructor.batch import CACHE_FORMAT, csv_text, fingerprint, missing_key_layers
from grader.instructor.locate import NoModules, locate
from grader.instructor.summary import render_markdown, summarize

CORPUS = Path(__file__).parent / "corpus"
EXERCISES = ["ex02_cost", "ex03_manual_gradient", "ex06_zero_grad"]
PLANTED = {  # student -> (exercise, mistake file in the corpus)
    "m1": ("ex02_cost", "sum_instead_of_mean"),
    "m2": ("ex02_cost", "sum_instead_of_mean"),
    "m3": ("ex02_cost", "sum_instead_of_mean"),
    "m4": ("ex06_zero_grad", "step_before_backward"),
    "m5": ("ex06_zero_grad", "step_before_backward"),
    "m6": ("ex03_manual_gradient", "wrong_gradient_sign"),
}


def _solutions(folder: Path, note: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for exercise_id in EXERCISES:
        text = (kit.SOLUTIONS_DIR / f"{exercise_id}.py").read_text(encoding="utf-8")
        (folder / f"{exercise_id}.py").write_text(text + note, encoding="utf-8")
    return folder


def _notebook(code: str) -> dict:
    def cell(source: str, **meta) -> dict:
        return {"cell_type": "code", "metadata": meta, "execution_count": None, "outputs": [], "source": source}

    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Cost"},
        cell("import torch\n\nfrom grader import notebook as kit_nb"),
        cell(code),
        cell('kit_nb.check("ex02_cost", "mse_matches_definition")', nbgrader={"grade": True, "locked": True}),
    ]}


def make_class(root: Path) -> dict[str, str]:
    """The class folder; returns the expected status of every student."""
    expected = {}
    _solutions(root / "correct")
    expected["correct"] = "graded"
    stubs = root / "stubs"
    stubs.mkdir()
    for exercise_id in EXERCISES:
        shutil.copy(kit.KIT_ROOT / "exercises" / f"{exercise_id}.py", stubs)
    expected["stubs"] = "graded"
    for number, (student, (exercise_id, mistake)) in enumerate(PLANTED.items()):
        folder = _solutions(root / student, note="" if number % 2 else f"\n# {student}\n")
        shutil.copy(CORPUS / "mutants" / exercise_id / f"{mistake}.py", folder / f"{exercise_id}.py")
        expected[student] = "graded"
    hostile = _solutions(root / "hostile")
    shutil.copy(CORPUS / "hostile" / "patches_everything.py", hostile / "ex02_cost.py")
    shutil.copy(CORPUS / "hostile" / "loop_at_import.py", hostile / "ex03_manual_gradient.py")
    expected["hostile"] = "graded"
    _solutions(root / "repo" / "exercises")  # a student's repository root
    (root / "repo" / "README.md").write_text("my work\n")
    expected["repo"] = "graded"
    zipped = _solutions(root.parent / "zipped_src" / "my-work")
    with zipfile.ZipFile(root / "zipped.zip", "w") as archive:
        for path in zipped.iterdir():
            archive.write(path, f"my-work/{path.name}")
    expected["zipped"] = "graded"
    notebook = root / "nb" / "ex02_cost"
    notebook.mkdir(parents=True)
    code = (CORPUS / "mutants" / "ex02_cost" / "sum_instead_of_mean.py").read_text().split("import torch\n", 1)[1]
    (notebook / "ex02_cost.ipynb").write_text(json.dumps(_notebook(code)))
    expected["nb"] = "graded"
    (root / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    expected["broken"] = "unreadable"
    (root / "nothing").mkdir()
    expected["nothing"] = "empty"
    (root / "notes.txt").write_text("not a submission\n")
    return expected


def _batch(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "batch", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=kit.KIT_ROOT)


def _counts(stdout: str) -> tuple[int, int]:
    line = next(line for line in stdout.splitlines() if " graded now, " in line)
    now = int(line.split(": ", 1)[1].split(" graded now")[0])
    cached = int(line.split("graded now, ", 1)[1].split(" unchanged")[0])
    return now, cached


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The class graded by `grade batch`, interrupted once (Ctrl-C) after some students, then resumed."""
    base = tmp_path_factory.mktemp("class")
    root = base / "submissions"
    root.mkdir()
    expected = make_class(root)
    out = base / "grades"
    kit_before = fingerprint()
    command = [sys.executable, "-m", "grader", "batch", str(root), *EXERCISES, "--out", str(out), "--jobs", "1"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=kit.KIT_ROOT)
    deadline = time.monotonic() + 600
    seen = 0
    while time.monotonic() < deadline and first.poll() is None:
        seen = len(list((out / ".cache").glob("*.json")))
        if seen >= 2:
            first.send_signal(signal.SIGINT)  # Ctrl-C
            break
        time.sleep(0.05)
    stdout, stderr = first.communicate(timeout=120)
    first.seen, first.out, first.err = seen, stdout, stderr  # type: ignore[attr-defined]
    before = {path.name: path.stat().st_mtime_ns for path in (out / ".cache").glob("*.json")}
    second = _batch(str(root), *EXERCISES, "--out", str(out), "--jobs", "2")
    return {"root": root, "out": out, "expected": expected, "interrupted": first, "before": before,
            "second": second, "kit_changed": fingerprint() != kit_before, "kit_fingerprint_after": fingerprint()}


def _csv(out: Path) -> dict[str, dict]:
    return {row["student"]: row for row in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}


@pytest.mark.slow
def test_interrupted_batch_resumes_without_regrading(graded_class):
    first, second, before = graded_class["interrupted"], graded_class["second"], graded_class["before"]
    assert first.returncode == 130, ("not interrupted", first.returncode, first.seen, first.out, first.err)  # as on SIGINT
    assert first.err.endswith("grade: interrupted\n")
    assert second.returncode == 1, second.stderr  # broken.zip is unreadable: some entries were not graded
    assert "1 entry needs a look" in second.stdout
    assert second.stderr == ""
    if graded_class["kit_changed"]:
        pytest.skip("the kit's files changed while the test ran, so the cache was rightly not reused")
    now, cached = _counts(second.stdout)
    rows = _csv(graded_class["out"])
    assert now + cached == len(rows) == len(graded_class["expected"])
    cache = graded_class["out"] / ".cache"
    for name, mtime in before.items():  # nothing already done was graded (or written) again
        assert (cache / name).stat().st_mtime_ns == mtime
    keys = {json.loads((cache / name).read_text())["format"] for name in before}
    assert keys <= {CACHE_FORMAT}
    assert len(before) >= 2 and cached >= len(before)
    # a third run grades nothing and writes the same grades
    csv_before = (graded_class["out"] / "grades.csv").read_text()
    third = _batch(str(graded_class["root"]), *EXERCISES, "--out", str(graded_class["out"]), "--jobs", "2")
    assert third.returncode == 1  # broken.zip is still unreadable
    if fingerprint() == graded_class["kit_fingerprint_after"]:  # else the kit changed under us: a regrade is right
        assert _counts(third.stdout) == (0, len(rows))
        assert (graded_class["out"] / "grades.csv").read_text() == csv_before


@pytest.mark.slow
def test_every_entry_has_its_status_and_reason(graded_class):
    rows = _csv(graded_class["out"])
    assert {student: row["status"] for student, row in rows.items()} == graded_class["expected"]
    assert rows["broken"]["reason"].startswith("not a readable zip file")
    assert rows["nothing"]["reason"] == "the submission folder is empty"
    assert rows["nothing"]["total"] == "0" and rows["broken"]["total"] == "0"
    assert "not a submission: notes.txt" in graded_class["second"].stdout
    for student in ("correct", "repo", "zipped"):
        assert float(rows[student]["total"]) == sum(metadata.load().get(e).points for e in EXERCISES)
    assert rows["stubs"]["total"] == "0"
    assert float(rows["hostile"]["ex02_cost"]) < metadata.load().get("ex02_cost").points
    assert list(rows["correct"]) == ["student", "total", *EXERCISES, "status", "reason"]
    out = graded_class["out"]
    for student in rows:
        assert (out / "reports" / f"{student}.json").is_file()
        assert (out / "feedback" / f"{student}.txt").is_file()
    assert not list(out.glob(".*.part")) and not list(out.rglob(".grades.csv.*"))


@pytest.mark.slow
def test_reports_equal_grade_run_for_each_student(graded_class, grade, tmp_path):
    """Same report in the batch as `grade run --dir` (hidden checks, seed and messages included)."""
    from grader.reporting.render import render_report

    out, root = graded_class["out"], graded_class["root"]
    folders = {student: root / student for student in graded_class["expected"]}
    folders["repo"] = root / "repo" / "exercises"
    folders["zipped"] = root.parent / "zipped_src" / "my-work"
    nb = tmp_path / "nb"
    codes, problems = notebook_child.convert(
        {"ex02_cost": (root / "nb" / "ex02_cost" / "ex02_cost.ipynb").read_bytes()}, tmp_path / "nb-work")
    assert not problems
    nb.mkdir()
    (nb / "ex02_cost.py").write_text(codes["ex02_cost"], encoding="utf-8")
    folders["nb"] = nb
    folders["broken"] = folders["nothing"] = tmp_path / "empty"
    folders["nothing"].mkdir()
    for student, folder in folders.items():
        report = grade(folder, EXERCISES)
        batch_report = json.loads((out / "reports" / f"{student}.json").read_text())
        assert batch_report == report.to_json(), student
        feedback = (out / "feedback" / f"{student}.txt").read_text()
        assert feedback.endswith(render_report(report) + "\n"), student
    csv_rows = _csv(out)
    for student in ("m1", "repo"):  # and through the real command line
        done = subprocess.run([sys.executable, "-m", "grader", "run", *EXERCISES, "--dir",
                               str(root / student), "--json"], capture_output=True, text=True, timeout=300)
        report = json.loads(done.stdout)
        assert report == json.loads((out / "reports" / f"{student}.json").read_text())
        assert csv_rows[student]["total"] == f"{report['score']:g}"
        assert [csv_rows[student][e["id"]] for e in report["exercises"]] == [f"{e['score']:g}" for e in report["exercises"]]


@pytest.mark.slow
def test_summary_ranks_the_planted_mistakes(graded_class):
    summary = json.loads((graded_class["out"] / "summary.json").read_text())
    planted: dict[str, dict[str, int]] = {}
    for student, (exercise_id, mistake) in PLANTED.items():
        planted.setdefault(exercise_id, {}).setdefault(mistake, 0)
        planted[exercise_id][mistake] += 1
    planted["ex02_cost"]["sum_instead_of_mean"] += 1  # the nbgrader student made it too
    for exercise in summary["exercises"]:
        top = exercise["mistakes"][0]
        (mistake, count), = planted[exercise["id"]].items()
        assert (top["mistake"], top["students"]) == (mistake, count), exercise["id"]
    assert summary["students"] == len(graded_class["expected"])
    assert summary["not_submissions"] == [{"name": "notes.txt", "reason": subs.scan(
        graded_class["root"], metadata.load())[1][0].reason}]
    text = (graded_class["out"] / "summary.md").read_text()
    lines = [line for line in text.splitlines() if line.startswith("- ex")]
    assert lines[0].startswith("- ex02_cost: `sum_instead_of_mean` — 4 students")
    assert lines[1].startswith("- ex06_zero_grad: `step_before_backward` — 2 students")
    ex02 = next(e for e in summary["exercises"] if e["id"] == "ex02_cost")
    assert ex02["passing"] == 6  # correct, repo, zipped, and the three whose mistake is elsewhere
    assert 0 < next(c for c in ex02["checks"] if c["id"] == "mse_matches_definition")["failure_rate"] < 1


@pytest.mark.slow
def test_plots_written_when_matplotlib_is_installed(graded_class):
    pytest.importorskip("matplotlib")
    for name in ("scores.png", "mistakes.png"):
        assert (graded_class["out"] / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_refuses_to_run_without_the_key_layers(tmp_path):
    _solutions(tmp_path / "class" / "alice")
    env = dict(os.environ, GRADE_CONFINEMENT_OFF="landlock")
    done = subprocess.run([sys.executable, "-m", "grader", "batch", str(tmp_path / "class"), "ex02",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300,
                          cwd=kit.KIT_ROOT, env=env)
    assert done.returncode == 1
    assert done.stderr.startswith("grade: refusing to grade other people's code without landlock")
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / "out" / "grades.csv").exists()


# fast: entries, archives, summary, locate, usage -----------------------------------------------
def test_key_layers():
    assert missing_key_layers(["landlock", "pid-namespace"]) == []
    assert missing_key_layers(["landlock", "unprivileged"]) == []
    assert missing_key_layers(["pid-namespace", "unprivileged"]) == ["landlock"]
    assert missing_key_layers(["landlock"]) == ["pid-namespace or unprivileged"]


def _zip(path: Path, members: dict[str, bytes], modes: dict[str, int] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if modes and name in modes:
                info.external_attr = modes[name] << 16
            archive.writestr(info, data)
    return path


@pytest.mark.parametrize("members, modes, reason", [
    ({"../evil.py": b"x"}, None, "a path outside itself"),
    ({"/etc/evil.py": b"x"}, None, "a path outside itself"),
    ({"ok/../../evil.py": b"x"}, None, "a path outside itself"),
    ({"ex02_cost.py": b"/etc/passwd"}, {"ex02_cost.py": 0o120777}, "a link or special file"),
    ({"big.py": b"0" * (subs.MAX_MEMBER_BYTES + 1)}, None, "larger than"),
])
def test_unsafe_archives_are_refused(tmp_path, members, modes, reason):
    archive = _zip(tmp_path / "s.zip", members, modes)
    with pytest.raises(subs.ZipRefused, match=reason):
        subs.safe_extract(archive, tmp_path / "x")
    assert not (tmp_path / "evil.py").exists() and not (tmp_path.parent / "evil.py").exists()


def test_archive_sizes_are_counted_as_extracted(tmp_path, monkeypatch):
    monkeypatch.setattr(subs, "MAX_EXTRACTED_BYTES", 1000)
    archive = _zip(tmp_path / "s.zip", {f"f{i}.py": b"0" * 400 for i in range(4)})
    with pytest.raises(subs.ZipRefused, match="extracts to more than"):
        subs.safe_extract(archive, tmp_path / "x")


def test_entries_are_classified(tmp_path):
    catalog = metadata.load()
    root = tmp_path / "class"
    _solutions(root / "a")
    _solutions(root / "b" / "exercises")
    _solutions(root / "c" / "wrapper" / "exercises")
    (root / "d").mkdir()
    (root / "d" / "homework.py").write_text("x = 1\n")
    (root / "e").mkdir()
    (root / "notes.txt").write_text("x")
    (root / ".DS_Store").write_text("x")
    (root / "f.zip").write_bytes(b"junk")
    (root / "a.zip").write_bytes(b"junk")  # the same student id as the folder a
    entries, skipped = subs.scan(root, catalog)
    assert [e.student for e in entries] == ["a", "a", "b", "c", "d", "e", "f"]
    assert {s.name for s in skipped} == {"notes.txt"}
    both = [e for e in entries if e.student == "a"]  # the folder a and a.zip: both kept, both flagged
    assert [e.source for e in both] == ["a", "a.zip"] and all(e.status == "conflict" for e in both)
    assert len({e.stem for e in both}) == 2
    entries = [e for e in entries if e.source != "a.zip"]
    prepared = {e.student: subs.prepare(e, root, tmp_path / "work" / e.student, catalog) for e in entries}
    for student in "abc":
        assert prepared[student].problem is None
        assert prepared[student].modules == [f"{e}.py" for e in EXERCISES]
    assert prepared["a"].digest == prepared["b"].digest == prepared["c"].digest
    assert prepared["d"].problem.startswith("empty: no exercise modules (ex01_hypothesis.py, ex02_cost.py, …")
    assert prepared["e"].problem == "empty: the submission folder is empty"
    assert prepared["f"].problem == "unreadable: not a readable zip file (no end of central directory)"
    assert str(tmp_path) not in "".join(p.problem or "" for p in prepared.values())


def test_notebook_becomes_a_module_without_the_grader_calls(tmp_path):
    folder = tmp_path / "s" / "ex02_cost"
    folder.mkdir(parents=True)
    (folder / "ex02_cost.ipynb").write_text(json.dumps(_notebook("def mse(p, t):\n    return ((t - p) ** 2).mean()\n")))
    entry = subs.prepare(subs.Entry("s", "s", "folder"), tmp_path, tmp_path / "work", metadata.load())
    assert entry.kind == "nbgrader" and entry.modules == ["ex02_cost.py"]
    code = (entry.folder / "ex02_cost.py").read_text()
    assert "def mse(p, t):" in code and "import torch" in code and "kit_nb" not in code


def test_summary_counts_students_not_checks():
    catalog = metadata.load()
    exercise = catalog.get("ex02_cost")

    def report(mistakes: list[str | None]) -> dict:
        checks = [{"id": f"c{i}", "description": "d", "status": "failed" if m else "passed", "points": 0.0,
                   "max_points": 1.0, "visibility": "public", "mistake": m} for i, m in enumerate(mistakes)]
        return {"score": 1.0, "exercises": [{"id": "ex02_cost", "status": "failed", "score": 1.0, "checks": checks}]}

    rows = [{"student": "a", "status": "graded", "problem": None, "report": report(["rmse", "rmse", None])},
            {"student": "b", "status": "graded", "problem": None, "report": report(["missing_square", None, None])},
            {"student": "c", "status": "graded", "problem": None, "report": report(["missing_square", None, None])}]
    summary = summarize(rows, [exercise], catalog, [])
    mistakes = summary["exercises"][0]["mistakes"]
    assert [(m["mistake"], m["students"]) for m in mistakes] == [("missing_square", 2), ("rmse", 1)]
    assert summary["exercises"][0]["checks"][0]["failure_rate"] == 1.0
    assert summary["exercises"][0]["checks"][1]["failure_rate"] == round(1 / 3, 4)
    assert "- ex02_cost: `missing_square` — 2 students" in render_markdown(summary)


def test_csv_has_one_column_per_exercise():
    catalog = metadata.load()
    chosen = [catalog.get("ex02_cost"), catalog.get("ex06_zero_grad")]
    row = type("R", (), {})()
    row.entry = subs.Entry("ann", "ann", "folder")
    row.report = {"score": 7.5, "exercises": [{"id": "ex02_cost", "score": 7.5}, {"id": "ex06_zero_grad", "score": 0.0}]}
    row.error = None
    row.status = "graded"
    assert csv_text([row], chosen) == "student,total,ex02_cost,ex06_zero_grad,status,reason\nann,7.5,7.5,0,graded,\n"


def test_locate_finds_a_repository_s_exercises(tmp_path):
    _solutions(tmp_path / "repo" / "exercises")
    assert locate(tmp_path / "repo").folder == tmp_path / "repo" / "exercises"
    with pytest.raises(NoModules, match=r"looked|no exercise modules \(ex01_hypothesis.py"):
        locate(tmp_path)


def test_grade_run_dir_at_a_repository_root(tmp_path):
    _solutions(tmp_path / "repo" / "exercises")
    result = CliRunner().invoke(main, ["run", "ex02", "--dir", str(tmp_path / "repo"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["score"] == metadata.load().get("ex02_cost").points


def test_grade_run_dir_says_what_it_looked_for(tmp_path):
    (tmp_path / "notes.md").write_text("x")
    result = CliRunner().invoke(main, ["run", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (f"grade: {tmp_path}: no exercise modules (ex01_hypothesis.py, ex02_cost.py, … "
                             "ex11_optimizers.py) in the folder or in an exercises/ folder inside it\n")


def test_batch_usage_errors(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["batch", str(tmp_path / "nope")])
    assert result.exit_code == 2 and result.stderr.startswith("grade: no such folder")
    result = runner.invoke(main, ["batch", str(tmp_path), "ex99"])
    assert result.exit_code == 2 and "unknown exercise 'ex99'" in result.stderr


def test_memo_oracle_gives_the_live_answers_once():
    import torch

    from grader.instructor.memo import MemoOracle
    from grader.grading.oracle import LiveOracle

    live = LiveOracle()
    memo = MemoOracle(live)
    x = torch.tensor([[1.0], [2.0], [3.0]])
    y = torch.tensor([[4.0], [5.0], [6.0]])
    first = memo.expected("ex02_cost", "mse", x, y)
    second = memo.expected("ex02_cost", "mse", x.clone(), y.clone())
    assert (memo.hits, memo.misses) == (1, 1)
    assert torch.equal(first, live.expected("ex02_cost", "mse", x, y)) and torch.equal(first, second)
    assert first is not second
    variants = memo.variants("ex02_cost", "mse", x, y)
    assert set(variants) == set(live.variants("ex02_cost", "mse", x, y))


def test_an_nbgrader_course_is_read_from_its_submitted_folder(tmp_path):
    course = tmp_path / "course"
    (course / "submitted" / "ann" / "ex02_cost").mkdir(parents=True)
    (course / "submitted" / "ann" / "ex02_cost" / "ex02_cost.ipynb").write_text(json.dumps(_notebook("x = 1\n")))
    (course / "source").mkdir()
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    entries, skipped = subs.scan(course, metadata.load())
    assert [e.student for e in entries] == ["ann"] and skipped == []
    entry = subs.prepare(entries[0], course, tmp_path / "work", metadata.load())
    assert entry.kind == "nbgrader" and entry.modules == ["ex02_cost.py"]


def test_grading_processes_keep_to_distinct_cores_only_when_each_has_one():
    from grader.instructor.batch import core_for

    cores = sorted(os.sched_getaffinity(0))
    assert core_for(0, 1) is None  # one process: the scheduler may move it
    assert all(core_for(slot, len(cores) + 1) is None for slot in range(len(cores) + 1))  # they share cores
    if len(cores) > 1:
        assert sorted(core_for(slot, len(cores)) for slot in range(len(cores))) == cores
    if len(cores) > 2:  # fewer processes than cores: a second batch would be pinned to the same ones
        assert core_for(0, 2) is None


@pytest.mark.parametrize("argv, expected", [(["--core", "LAST"], "LAST"), (["--core", "4096"], "ALL"), ([], "ALL")])
def test_a_grading_process_keeps_to_its_core_and_survives_a_missing_one(argv, expected):
    cores = sorted(os.sched_getaffinity(0))
    argv = [str(cores[-1]) if arg == "LAST" else arg for arg in argv]
    code = ("import os, sys; from grader.instructor.batch_worker import keep_to_core; keep_to_core(sys.argv[1:]); "
            "print(*sorted(os.sched_getaffinity(0)))")
    found = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=kit.KIT_ROOT,
                           check=True).stdout.split()
    assert [int(core) for core in found] == ([cores[-1]] if expected == "LAST" else cores)


def test_a_finished_batch_leaves_no_scratch_folder_behind(tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    for student in ("ann", "ben"):
        (tmp_path / "class" / student).mkdir(parents=True)
        shutil.copy(kit.SOLUTIONS_DIR / "ex01_hypothesis.py", tmp_path / "class" / student)
    process = subprocess.run([sys.executable, "-m", "grader", "batch", str(tmp_path / "class"), "ex01",
                              "--out", str(tmp_path / "out"), "--jobs", "2"], capture_output=True, text=True,
                             timeout=600, cwd=kit.KIT_ROOT, env={**os.environ, "TMPDIR": str(temp)})
    assert process.returncode == 0, process.stderr[-2000:]
    assert _csv(tmp_path / "out")["ann"]["status"] == "graded"
    assert [p.name for p in temp.iterdir() if p.name.startswith("grade-")] == []  # each process closed its zygote
