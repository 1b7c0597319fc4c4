"""What a beginner on a Windows laptop hits on day one, proved on this machine: code pages, Ctrl-C
as a KeyboardInterrupt, BOMs and CRLF from Windows editors, folders with spaces and Hangul, and
`python -m grader` when the `grade` script is not on PATH."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from grader.catalog import kit, metadata
from grader.cli.group import main

GRADE = [sys.executable, "-m", "grader"]


def _grade(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*GRADE, *args], capture_output=True, cwd=kit.KIT_ROOT, timeout=600,
                          env={**os.environ, **env})


def test_output_redirected_on_a_korean_windows_code_page_is_never_a_traceback():
    """cp949 has Hangul but no ✓: redirected output shows `?` for it and the command still succeeds."""
    process = _grade("run", "ex01", "--dir", str(kit.SOLUTIONS_DIR), "--lang", "ko", PYTHONIOENCODING="cp949")
    assert process.returncode == 0, process.stderr.decode("cp949", "replace")[-2000:]
    text = process.stdout.decode("cp949")  # strictly: every byte is valid cp949
    assert "? ex01_hypothesis" in text and "점수" in text
    assert b"Traceback" not in process.stderr


def test_ctrl_c_as_a_keyboard_interrupt_exits_130_with_one_line(monkeypatch):
    """Windows delivers Ctrl-C as a KeyboardInterrupt in the main thread: same message and status as SIGINT."""
    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(metadata, "load", interrupted)
    result = CliRunner().invoke(main, ["list"])
    assert result.exit_code == 130
    assert result.stderr.strip().endswith("grade: interrupted")


def _windows_file(source: Path, target: Path) -> None:
    """The module as a Windows editor saves it: a UTF-8 byte-order mark and CRLF line endings."""
    text = source.read_text(encoding="utf-8").replace("\n", "\r\n")
    target.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def test_a_bom_and_crlf_from_a_windows_editor_grade_as_the_same_code(grade, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    _windows_file(kit.SOLUTIONS_DIR / "ex02_cost.py", folder / "ex02_cost.py")
    report = grade(folder, ["ex02_cost"], follow_dependencies=False)
    assert report.exercises[0].score == report.exercises[0].max_score


def test_the_echoed_line_of_an_error_shows_no_byte_order_mark(grade, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "ex02_cost.py").write_bytes(b"\xef\xbb\xbfx = undefined_name\r\n")
    report = grade(folder, ["ex02_cost"], follow_dependencies=False)
    message = report.exercises[0].message
    assert "ex02_cost.py:1: `x = undefined_name`" in message and "\ufeff" not in message


def test_a_folder_with_spaces_and_hangul_is_graded_and_named_without_its_path(tmp_path):
    folder = tmp_path / "내 실습 폴더 (week 1)" / "exercises"
    folder.mkdir(parents=True)
    shutil.copy(kit.SOLUTIONS_DIR / "ex02_cost.py", folder / "ex02_cost.py")
    process = _grade("run", "ex02", "--dir", str(folder), "--json")
    assert process.returncode == 0, process.stderr.decode("utf-8", "replace")[-2000:]
    report = json.loads(process.stdout.decode("utf-8"))
    assert report["score"] == report["max_score"] > 0
    assert str(tmp_path) not in process.stdout.decode("utf-8")  # no absolute path in the report


def test_a_long_path_is_graded(tmp_path):
    """Deeper than Windows' historic 260-character limit (on Windows it also needs LongPathsEnabled)."""
    folder = tmp_path
    while len(str(folder)) < 300:
        folder = folder / ("긴 폴더 이름 " + "x" * 20)
    folder.mkdir(parents=True)
    shutil.copy(kit.SOLUTIONS_DIR / "ex02_cost.py", folder / "ex02_cost.py")
    process = _grade("run", "ex02", "--dir", str(folder), "--json")
    assert process.returncode == 0, process.stderr.decode("utf-8", "replace")[-2000:]
    assert json.loads(process.stdout.decode("utf-8"))["score"] > 0
