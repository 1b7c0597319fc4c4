"""A class folder is hostile input: `grade batch` (and `grade run --dir`, the platform staging) hold against every
byte a student controls, and an honest classmate in the same folder is always graded in full.

One hostile class is graded once by `grade batch` (module fixture); each test then looks at the
entries of one attack. The numbers refer to the issue's points: 1 paths stay inside the entry,
2 one bad entry never stops the class, 3 identity is never shared, 4 teachers' outputs render
safely, 5 archives are checked before they are read.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.catalog import kit, metadata
from grader.cli import main
from grader.instructor import batch, contained, notebook_child, staging, zipcheck
from grader.reporting import safetext
from grader.instructor import submissions as subs
from grader.instructor.platform import stage

EXERCISE = "ex02_cost"
SOLUTION = kit.SOLUTIONS_DIR / f"{EXERCISE}.py"
CP949_NAME = "김철수".encode("cp949")  # what unzip makes of a Korean name zipped on Windows
NOT_TEXT_NAME = b"\xff\xfe-student"


def _full_points() -> float:
    return metadata.load().get(EXERCISE).points


def _honest(folder: Path, note: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{EXERCISE}.py").write_text(SOLUTION.read_text(encoding="utf-8") + note, encoding="utf-8")
    return folder


def _notebook(code) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": code}]}


def _claims_millions(path: Path, entries: int = 3_000_000) -> Path:
    """A few hundred bytes whose zip64 end records claim `entries` files and a directory to match."""
    directory_size = entries * 46
    body = b"PK\x03\x04" + b"\0" * 200
    zip64_end = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, directory_size,
                            len(body))
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, len(body), 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path.write_bytes(body + zip64_end + locator + end)
    return path


def _many_members(path: Path, count: int) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(count):
            archive.writestr(f"f{number}.txt", "")
    return path


def _claims_huge_size(path: Path) -> Path:
    """A real zip whose central directory says its one member extracts to 40 GiB (the header lies)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{EXERCISE}.py", SOLUTION.read_text(encoding="utf-8"))
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, at + 24, 0xFFFFFFFF)  # uncompressed size: see the zip64 extra field
    name_length, extra_length = struct.unpack_from("<HH", data, at + 28)
    extra = struct.pack("<HHQ", 0x0001, 8, 40 * 1024**3)
    data[at + 46 + name_length:at + 46 + name_length] = extra
    struct.pack_into("<H", data, at + 30, extra_length + len(extra))
    end = data.rfind(b"PK\x05\x06")
    size = struct.unpack_from("<I", data, end + 12)[0]
    struct.pack_into("<I", data, end + 12, size + len(extra))
    path.write_bytes(bytes(data))
    return path


def make_hostile_class(root: Path) -> dict[str, str]:
    """The class folder; returns {entry name on disk: expected status}."""
    expected: dict[str, str] = {}
    _honest(root / "honest")
    expected["honest"] = "graded"
    # 1. links out of the entry, every way a student (who read the source) can make one
    (root / "link_abs").mkdir()
    os.symlink(kit.SOLUTIONS_DIR, root / "link_abs" / "exercises")
    expected["link_abs"] = "refused"
    (root / "link_rel").mkdir()
    os.symlink(os.path.relpath(kit.SOLUTIONS_DIR, root / "link_rel"), root / "link_rel" / "exercises")
    expected["link_rel"] = "refused"
    (root / "link_proc").mkdir()
    os.symlink(f"/proc/self/cwd/solutions/{EXERCISE}.py", root / "link_proc" / f"{EXERCISE}.py")
    expected["link_proc"] = "refused"
    (root / "link_peer").mkdir()
    os.symlink(f"../honest/{EXERCISE}.py", root / "link_peer" / f"{EXERCISE}.py")
    expected["link_peer"] = "refused"
    (root / "link_wrapper").mkdir()
    os.symlink(kit.SOLUTIONS_DIR, root / "link_wrapper" / "my-work")  # a lone "wrapper folder"
    expected["link_wrapper"] = "refused"
    (root / "link_climb").mkdir()  # a link inside that climbs out through a second link
    (root / "link_climb" / "sub").mkdir()
    os.symlink("..", root / "link_climb" / "sub" / "up")
    os.symlink(f"sub/up/../honest/{EXERCISE}.py", root / "link_climb" / f"{EXERCISE}.py")
    expected["link_climb"] = "refused"
    _honest(root / "link_inside" / "work")  # a link that stays inside the entry is fine
    os.symlink(f"work/{EXERCISE}.py", root / "link_inside" / f"{EXERCISE}.py")
    expected["link_inside"] = "graded"
    (root / "fifo").mkdir()
    os.mkfifo(root / "fifo" / f"{EXERCISE}.py")
    expected["fifo"] = "refused"
    try:
        (root / "hard").mkdir()
        os.link(SOLUTION, root / "hard" / f"{EXERCISE}.py")  # a shared machine: a hard link to the kit's answer
        expected["hard"] = "refused"
    except OSError:
        pass
    notebook = _notebook(SOLUTION.read_text(encoding="utf-8").split("import torch\n", 1)[1])
    (root / "nb_honest" / EXERCISE).mkdir(parents=True)
    (root / "nb_honest" / EXERCISE / f"{EXERCISE}.ipynb").write_text(json.dumps(notebook))
    expected["nb_honest"] = "graded"
    (root / "nb_link" / EXERCISE).mkdir(parents=True)
    os.symlink(f"../../nb_honest/{EXERCISE}/{EXERCISE}.ipynb", root / "nb_link" / EXERCISE / f"{EXERCISE}.ipynb")
    expected["nb_link"] = "refused"
    # 2. entries that used to stop the class
    (root / "nb_deep" / EXERCISE).mkdir(parents=True)
    (root / "nb_deep" / EXERCISE / f"{EXERCISE}.ipynb").write_text('{"cells": ' + "[" * 200_000 + "]" * 200_000 + "}")
    expected["nb_deep"] = "unreadable"
    (root / "nb_types" / EXERCISE).mkdir(parents=True)
    (root / "nb_types" / EXERCISE / f"{EXERCISE}.ipynb").write_text(json.dumps(_notebook([1, {"x": 2}])))
    expected["nb_types"] = "unreadable"
    (root / "nb_bomb" / EXERCISE).mkdir(parents=True)
    (root / "nb_bomb" / EXERCISE / f"{EXERCISE}.ipynb").write_text(
        json.dumps(_notebook("x = " + "1+" * 1_500_000 + "1\n")))
    expected["nb_bomb"] = "unreadable"
    _honest(Path(os.fsdecode(bytes(root) + b"/" + CP949_NAME)))
    expected[os.fsdecode(CP949_NAME)] = "graded"
    _honest(Path(os.fsdecode(bytes(root) + b"/" + NOT_TEXT_NAME)))
    expected[os.fsdecode(NOT_TEXT_NAME)] = "graded"
    # 3. entries that would share a student's files
    _honest(root / "bob", note="\n# the folder\n")
    with zipfile.ZipFile(root / "bob.zip", "w") as archive:
        archive.writestr(f"{EXERCISE}.py", (root.parent / "stub.py").read_text())
    with zipfile.ZipFile(root / "bob.ZIP", "w") as archive:
        archive.writestr(f"{EXERCISE}.py", SOLUTION.read_text(encoding="utf-8") + "\n# the upper-case zip\n")
    _honest(root / "Bob", note="\n# capital B\n")
    _honest(root / "eve!")
    _honest(root / "eve?", note="\n# eve?\n")
    _honest(root / "\ud55c", note="\n# composed\n")  # 한, as Linux writes it
    _honest(root / "\u1112\u1161\u11ab", note="\n# decomposed\n")  # 한, as macOS writes it
    _honest(root / "bob~3f1c2a9e")  # looks like a conflict's file name: must not land on one
    expected.update({name: "conflict" for name in
                     ("bob", "bob.zip", "bob.ZIP", "Bob", "eve!", "eve?", "\ud55c", "\u1112\u1161\u11ab")})
    expected["bob~3f1c2a9e"] = "graded"
    # 4. names and learner text meant for the teacher's spreadsheet, Markdown viewer and terminal
    for name in ("=HYPERLINK(\"http:evil\")", "+cmd", "-2+3", "@SUM(A1)", "\x1b[31mred\x1b]0;owned\x07",
                 "a\nb\rc", "<img src=x onerror=alert(1)>|**x**", "\u202eexe.txt"):
        _honest(root / name, note=f"\n# {name!r}\n")
        expected[name] = "graded"
    (root / "<img src=x onerror=alert(1)>|**empty**").mkdir()  # listed in summary.md (graded as zero)
    expected["<img src=x onerror=alert(1)>|**empty**"] = "empty"
    (root / "\x1b[5mnotes\x1b[0m.txt").write_text("not a submission\n")  # listed as not a submission
    (root / "shouts").mkdir()
    (root / "shouts" / f"{EXERCISE}.py").write_text(
        'raise RuntimeError("\\x1b[2J\\x1b]0;pwned\\x07\\rBELL\\x07 <script>x</script>\\n| fake | row |")\n')
    expected["shouts"] = "graded"
    # 5. archives that lie about their size
    _claims_millions(root / "millions.zip")
    expected["millions.zip"] = "unreadable"
    _many_members(root / "members.zip", subs.MAX_MEMBERS + 1)
    expected["members.zip"] = "unreadable"
    _claims_huge_size(root / "huge.zip")
    expected["huge.zip"] = "unreadable"
    return expected


def _rows(out: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile-class")
    (base / "stub.py").write_text((kit.KIT_ROOT / "exercises" / f"{EXERCISE}.py").read_text(encoding="utf-8"))
    root = base / "class"
    root.mkdir()
    expected = make_hostile_class(root)
    out = base / "grades"
    out.mkdir()
    (out / "grades.csv").write_text("student,total\nfrom an earlier run,99\n")
    process = subprocess.run([sys.executable, "-m", "grader", "batch", str(root), EXERCISE, "--out", str(out),
                              "--jobs", "1"], capture_output=True, cwd=kit.KIT_ROOT, timeout=900)
    entries, _ = subs.scan(root, metadata.load())
    by_source = {entry.source: entry for entry in entries}
    rows = _rows(out)
    assert len(rows) == len(entries) == len(expected), (process.stdout, process.stderr)
    return {"root": root, "out": out, "expected": expected, "process": process, "rows": rows,
            "by_source": by_source, "row_of": {entry.source: row for entry, row in zip(entries, rows)}}


def _assert_honest_graded(hostile, names=("honest",)) -> None:
    for name in names:
        row = hostile["row_of"][name]
        assert row["status"] == "graded" and float(row["total"]) == _full_points(), row


# 1. paths stay inside the entry ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["link_abs", "link_rel", "link_proc", "link_peer", "link_wrapper", "link_climb",
                                  "fifo", "hard", "nb_link"])
def test_a_path_that_leaves_the_entry_is_refused_and_scores_nothing(hostile, name):
    if name not in hostile["expected"]:
        pytest.skip("this file system does not allow a hard link to the kit's files")
    row = hostile["row_of"][name]
    assert row["status"] == "refused", row
    assert float(row["total"] or 0) == 0.0, row
    why = {"fifo": "not a regular file", "hard": "hard link"}.get(name, "leads outside")
    assert why in row["reason"], row
    feedback = (hostile["out"] / "feedback" / f"{hostile['by_source'][name].stem}.txt").read_text(encoding="utf-8")
    assert why in feedback and str(kit.KIT_ROOT) not in feedback and str(hostile["root"]) not in row["reason"]
    _assert_honest_graded(hostile, ("honest", "nb_honest"))


def test_a_link_that_stays_inside_the_entry_is_followed(hostile):
    _assert_honest_graded(hostile, ("link_inside", "honest"))


def test_the_grader_reads_the_bytes_that_were_checked_not_the_class_folder(tmp_path):
    root = tmp_path / "class"
    _honest(root / "ann")
    entry = subs.prepare(subs.Entry("ann", "ann", "folder"), root, tmp_path / "work", metadata.load())
    assert entry.folder is not None and root not in entry.folder.parents
    (root / "ann" / f"{EXERCISE}.py").unlink()  # swapped for a link to the answers after the check
    os.symlink(SOLUTION, root / "ann" / f"{EXERCISE}.py")
    assert not (entry.folder / f"{EXERCISE}.py").is_symlink()
    assert (entry.folder / f"{EXERCISE}.py").read_bytes() == SOLUTION.read_bytes()  # what was checked, a copy
    with contained.ContainedTree(root / "ann") as tree:
        assert tree.probe(f"{EXERCISE}.py").kind == "refused"
        with pytest.raises(contained.Escape, match="leads outside"):
            tree.read(f"{EXERCISE}.py", limit=1 << 20)


def test_a_folder_swapped_for_a_link_mid_walk_is_not_followed(tmp_path, monkeypatch):
    """The race: a folder checked as a folder becomes a link before it is opened; O_NOFOLLOW refuses it."""
    entry = tmp_path / "entry"
    _honest(entry / "exercises")
    real_stat = os.stat

    def swapping_stat(path, *args, **kwargs):
        result = real_stat(path, *args, **kwargs)
        if path == "exercises" and not (entry / "exercises").is_symlink():
            (entry / "exercises").rename(tmp_path / "moved")
            os.symlink(kit.SOLUTIONS_DIR, entry / "exercises")
        return result

    with contained.ContainedTree(entry) as tree:
        monkeypatch.setattr(contained.os, "stat", swapping_stat)
        with pytest.raises(contained.Escape, match="changed while it was being read"):
            tree.read("exercises", f"{EXERCISE}.py", limit=1 << 20)


def test_grade_run_dir_on_someone_else_s_folder_does_not_follow_links_out(tmp_path):
    mallory = tmp_path / "mallory"
    mallory.mkdir()
    os.symlink(kit.SOLUTIONS_DIR, mallory / "exercises")
    result = CliRunner().invoke(main, ["run", EXERCISE, "--dir", str(mallory), "--json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["score"] == 0
    assert "not graded: exercises is a symbolic link that leads outside the folder" in result.stderr
    honest = CliRunner().invoke(main, ["run", EXERCISE, "--dir", str(_honest(tmp_path / "honest")), "--json"])
    assert honest.exit_code == 0 and json.loads(honest.stdout)["score"] == _full_points()


def test_gradescope_and_prairielearn_staging_refuse_links_out(tmp_path):
    names = [f"{EXERCISE}.py", "ex06_zero_grad.py"]
    submission = _honest(tmp_path / "submission")
    os.symlink(kit.SOLUTIONS_DIR / "ex06_zero_grad.py", submission / "ex06_zero_grad.py")
    found, missing, refused = stage(submission, names, tmp_path / "staged")
    assert found == [f"{EXERCISE}.py"] and missing == ["ex06_zero_grad.py"]
    assert refused == ["ex06_zero_grad.py is a symbolic link that leads outside your submission (an absolute link); "
                       "it was not read"]
    assert (tmp_path / "staged" / f"{EXERCISE}.py").read_bytes() == (submission / f"{EXERCISE}.py").read_bytes()
    inner = tmp_path / "repo"
    inner.mkdir()
    os.symlink(kit.SOLUTIONS_DIR, inner / "exercises")
    assert stage(inner, names, tmp_path / "staged2")[0] == []


# 2. one bad entry never stops the class -------------------------------------------------------------
@pytest.mark.parametrize("name, reason", [("nb_deep", "nested too deeply"), ("nb_types", "source that is not text"),
                                          ("nb_bomb", "")])
def test_a_notebook_that_breaks_the_parser_is_unreadable_and_the_class_is_graded(hostile, name, reason):
    row = hostile["row_of"][name]
    assert row["status"] == "unreadable" and reason in row["reason"] and row["reason"], row
    _assert_honest_graded(hostile, ("honest", "nb_honest"))


def test_names_that_are_not_utf8_are_graded_under_a_readable_id(hostile):
    korean, undecodable = hostile["row_of"][os.fsdecode(CP949_NAME)], hostile["row_of"][os.fsdecode(NOT_TEXT_NAME)]
    assert korean["student"] == "김철수" and "CP949" in korean["reason"]
    assert undecodable["student"] == "\\xff\\xfe-student"
    for row in (korean, undecodable):
        assert row["status"] == "graded" and float(row["total"]) == _full_points(), row
    _assert_honest_graded(hostile)


def test_the_exit_status_says_some_entries_were_not_graded(hostile):
    process = hostile["process"]
    assert process.returncode == 1, process.stderr.decode(errors="replace")
    assert b"entries need a look (status unreadable, refused, conflict or grader-error" in process.stdout
    statuses = {row["status"] for row in hostile["rows"]}
    assert {"refused", "unreadable", "conflict", "graded"} <= statuses
    _assert_honest_graded(hostile)


def test_any_exception_while_preparing_an_entry_makes_only_it_unreadable(tmp_path, monkeypatch):
    root = tmp_path / "class"
    _honest(root / "ann")
    _honest(root / "zed")
    real_find, calls = staging.find, []

    def find(tree, *args, **kwargs):
        calls.append(tree)
        if len(calls) == 1:  # the first entry (ann) fails as a parser bomb would
            raise MemoryError
        return real_find(tree, *args, **kwargs)

    monkeypatch.setattr(staging, "find", find)
    catalog = metadata.load()
    entries, _ = subs.scan(root, catalog)
    prepared = [subs.prepare(entry, root, tmp_path / "work" / entry.student, catalog) for entry in entries]
    assert prepared[0].status == "unreadable" and "MemoryError" in prepared[0].reason
    assert prepared[1].status == "graded" and prepared[1].modules == [f"{EXERCISE}.py"]


def _honest_notebook() -> bytes:
    return json.dumps(_notebook(SOLUTION.read_text(encoding="utf-8").split("import torch\n", 1)[1])).encode()


def test_notebooks_are_read_in_a_child_process_never_in_the_grading_one(tmp_path, monkeypatch):
    def in_the_grader(*_args):
        raise AssertionError("a notebook was parsed in the grading process")

    monkeypatch.setattr(notebook_child, "child_main", in_the_grader)
    codes, problems = notebook_child.convert({EXERCISE: _honest_notebook()}, tmp_path / "work")
    assert problems == {} and "def mse" in codes[EXERCISE]


@pytest.mark.skipif(os.name != "posix", reason="resource limits are POSIX")
def test_the_notebook_child_runs_under_its_memory_limit(tmp_path, monkeypatch):
    honest = _honest_notebook()
    assert notebook_child.convert({EXERCISE: honest}, tmp_path / "roomy")[1] == {}
    monkeypatch.setattr(notebook_child, "MEMORY_BYTES", 16 * 1024**2)  # too little for an interpreter to start
    codes, problems = notebook_child.convert({EXERCISE: honest}, tmp_path / "cramped")
    assert codes == {} and problems[EXERCISE].startswith(("reading it took more memory", "it could not be read")), problems


@pytest.mark.skipif(os.name != "posix", reason="file-size limits are POSIX")
def test_an_output_cut_short_leaves_the_previous_file_whole(tmp_path):
    """A full disk (here a file-size limit) mid-write: the earlier grades.csv stays as it was, never half new."""
    target = tmp_path / "grades.csv"
    target.write_text("student,total\nann,16\n")
    script = ("import resource, signal, sys\n"
              "from pathlib import Path\n"
              "from grader.instructor.batch import atomic_write\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))\n"
              "try:\n"
              "    atomic_write(Path(sys.argv[1]), b'student,total\\n' + b'bob,0\\n' * 1000)\n"
              "except OSError:\n"
              "    sys.exit(3)\n")
    process = subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, cwd=kit.KIT_ROOT,
                             timeout=120)
    assert process.returncode == 3, process.stderr.decode(errors="replace")
    assert target.read_text() == "student,total\nann,16\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]  # no temporary file left beside it


def test_a_run_that_stops_leaves_no_earlier_grades_csv_looking_current(tmp_path, monkeypatch):
    root = tmp_path / "class"
    _honest(root / "ann")
    out = tmp_path / "grades"
    out.mkdir()
    (out / "grades.csv").write_text("student,total\nann,1\n")
    (out / "summary.md").write_text("# an earlier run\n")

    def stopped(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "_grade_all", stopped)
    options = batch.Options(root, out, metadata.resolve(metadata.load(), [EXERCISE]), 1, 1)
    with pytest.raises(KeyboardInterrupt):
        batch.run_batch(options)
    assert not (out / "grades.csv").exists() and not (out / "summary.md").exists()
    assert (out / "previous" / "grades.csv").read_text() == "student,total\nann,1\n"


def test_the_summary_names_the_run_that_wrote_it(hostile):
    summary = json.loads((hostile["out"] / "summary.json").read_text(encoding="utf-8"))
    run = summary["run"]
    assert run["id"] and run["started"] <= run["finished"]
    assert f"Run {run['id']}" in (hostile["out"] / "summary.md").read_text(encoding="utf-8")
    assert f"run {run['id']}".encode() in hostile["process"].stdout
    assert (hostile["out"] / "previous" / "grades.csv").read_text().endswith("from an earlier run,99\n")
    assert "from an earlier run" not in (hostile["out"] / "grades.csv").read_text(encoding="utf-8")


# 3. identity is never shared ---------------------------------------------------------------------------
def test_entries_that_would_share_a_student_s_files_are_all_kept_and_flagged(hostile):
    groups = [("bob", "bob.zip", "bob.ZIP", "Bob"), ("eve!", "eve?"), ("\ud55c", "\u1112\u1161\u11ab")]
    stems = set()
    for group in groups:
        for name in group:
            row, entry = hostile["row_of"][name], hostile["by_source"][name]
            assert row["status"] == "conflict", row
            others = [other for other in group if other != name]
            assert all(other in row["reason"] or other.lower() in row["reason"].lower() or other[:1] == "\u1112"
                       for other in others), row
            feedback = hostile["out"] / "feedback" / f"{entry.stem}.txt"
            assert "must check this grade" in feedback.read_text(encoding="utf-8")
            stems.add(entry.stem.casefold())
    assert len(stems) == sum(len(group) for group in groups)  # no two share a file, even without case
    bob_zip, bob_zip_upper = hostile["row_of"]["bob.zip"], hostile["row_of"]["bob.ZIP"]
    assert float(bob_zip["total"]) < _full_points() == float(bob_zip_upper["total"])  # each graded as itself
    reports = {p.name.casefold() for p in (hostile["out"] / "reports").glob("*.json")}
    assert len(reports) == len(list((hostile["out"] / "reports").glob("*.json")))
    _assert_honest_graded(hostile, ("honest", "bob~3f1c2a9e"))


# 4. teachers' outputs render safely -------------------------------------------------------------------
def test_grades_csv_cells_cannot_run_as_formulas(hostile):
    raw = (hostile["out"] / "grades.csv").read_text(encoding="utf-8")
    for row in csv.reader(io.StringIO(raw)):
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) and "\x1b" not in cell and "\n" not in cell, cell
            if cell.startswith("-"):
                float(cell)  # only a number may start with a minus
    students = {row["student"] for row in hostile["rows"]}
    assert {"'=HYPERLINK(\"http:evil\")", "'+cmd", "'-2+3", "'@SUM(A1)"} <= students
    assert safetext.csv_cell("-1.5") == "-1.5" and safetext.csv_cell("-1") == "-1"
    assert safetext.csv_cell("-1+1") == "'-1+1" and safetext.csv_cell("\t=1") == "'\\t=1"
    _assert_honest_graded(hostile, ("honest", "-2+3", "@SUM(A1)"))


def test_summary_terminal_and_feedback_show_student_text_escaped(hostile):
    summary_md = (hostile["out"] / "summary.md").read_text(encoding="utf-8")
    stdout = hostile["process"].stdout.decode("utf-8")
    for text in (summary_md, stdout):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "\r" not in text
    assert "<img" not in summary_md and "&lt;img src=x onerror=alert(1)&gt;\\|\\*\\*empty\\*\\*" in summary_md
    assert r"\\x1b\[5mnotes\\x1b\[0m.txt" in summary_md  # shown, escaped for Markdown too
    assert r"not a submission: \x1b[5mnotes\x1b[0m.txt" in stdout
    shouts = hostile["by_source"]["shouts"]
    feedback = (hostile["out"] / "feedback" / f"{shouts.stem}.txt").read_text(encoding="utf-8")
    assert "\x1b" not in feedback and "\x07" not in feedback and "\\x1b[2J" in feedback
    report = json.loads((hostile["out"] / "reports" / f"{shouts.stem}.json").read_text(encoding="utf-8"))
    assert report["exercises"][0]["status"] == "error"
    assert safetext.mathtext("$\\frac{1}{0}$ x") == "\\$\\frac{1}{0}\\$ x"
    _assert_honest_graded(hostile)


# 5. archives are checked before they are read -------------------------------------------------------------
@pytest.mark.parametrize("name, says", [("millions.zip", "says it holds 3000000 files"),
                                        ("members.zip", f"says it holds {subs.MAX_MEMBERS + 1} files"),
                                        ("huge.zip", "says it extracts to more than")])
def test_an_archive_that_claims_too_much_is_refused(hostile, name, says):
    row = hostile["row_of"][name]
    assert row["status"] == "unreadable" and says in row["reason"], row
    _assert_honest_graded(hostile)


def test_the_end_record_is_read_before_any_listing_is_built(tmp_path, monkeypatch):
    archive = _claims_millions(tmp_path / "millions.zip")

    def no_listing(*_args, **_kwargs):
        raise AssertionError("zipfile built a listing before the claims were checked")

    monkeypatch.setattr(subs.zipfile, "ZipFile", no_listing)
    before = resource.getrusage(resource.RUSAGE_SELF)
    with pytest.raises(subs.ZipRefused, match="says it holds 3000000 files"):
        subs.safe_extract(archive, tmp_path / "out")
    after = resource.getrusage(resource.RUSAGE_SELF)
    assert (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) < 0.5  # CPU, not wall
    assert after.ru_maxrss - before.ru_maxrss < 50 * 1024  # KiB: no listing was built


def test_a_directory_that_lies_about_its_count_is_counted_as_read(tmp_path):
    archive = _many_members(tmp_path / "lying.zip", 50)
    data = bytearray(archive.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 1, 1)  # "one entry"
    archive.write_bytes(bytes(data))
    with pytest.raises(zipcheck.ArchiveRefused, match="holds more than 10 files"):
        zipcheck.inspect(archive, max_entries=10, max_directory_bytes=1 << 20)
    honest = tmp_path / "honest.zip"
    with zipfile.ZipFile(honest, "w") as bundle:
        bundle.writestr(f"{EXERCISE}.py", SOLUTION.read_text(encoding="utf-8"))
    claims = zipcheck.inspect(honest, max_entries=10, max_directory_bytes=1 << 20)
    assert claims.entries == 1 and claims.uncompressed_bytes == len(SOLUTION.read_bytes())
    subs.safe_extract(honest, tmp_path / "out")
    assert (tmp_path / "out" / f"{EXERCISE}.py").read_bytes() == SOLUTION.read_bytes()


def test_grade_run_dir_shows_learner_text_escaped_on_the_terminal(tmp_path):
    shouting = tmp_path / "shouting"
    shouting.mkdir()
    (shouting / f"{EXERCISE}.py").write_text('raise RuntimeError("\\x1b[2J\\x1b]0;pwned\\x07 cleared")\n')
    result = CliRunner().invoke(main, ["run", EXERCISE, "--dir", str(shouting)])
    assert result.exit_code == 1 and "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[2J\\x1b]0;pwned\\x07 cleared" in result.stdout
    honest = CliRunner().invoke(main, ["run", EXERCISE, "--dir", str(_honest(tmp_path / "honest"))])
    assert honest.exit_code == 0 and "\\x" not in honest.stdout


def test_grade_run_dir_imports_the_learners_own_helper_but_never_through_a_link(tmp_path):
    reference = kit.SOLUTIONS_DIR / "ex03_manual_gradient.py"
    own = tmp_path / "own"
    own.mkdir()
    (own / "helpers.py").write_text(reference.read_text(encoding="utf-8"), encoding="utf-8")  # their own code
    (own / "ex03_manual_gradient.py").write_text("from helpers import *  # noqa: F403\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "ex03", "--dir", str(own), "--json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["score"] == report["max_score"] > 0, result.output[-2000:]
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "helpers.py").symlink_to(reference)  # the kit's answer, under the name of a helper
    (linked / "ex03_manual_gradient.py").write_text("from helpers import *  # noqa: F403\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "ex03", "--dir", str(linked), "--json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["score"] == 0
    assert "helpers.py is a symbolic link that leads outside" in result.stderr
