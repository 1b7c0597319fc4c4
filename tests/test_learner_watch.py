"""`grade watch` in a real pseudo-terminal: re-grades on a save, survives a syntax error and a hang,
moves on when the exercise passes, stops on `q` and on Ctrl-C leaving no process behind."""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.catalog import kit

from test_learner_firstday import _alive, _descendants

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """`grade watch` on a pseudo-terminal; `expect` reads until a pattern shows up."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.master, slave = os.openpty()
        env = dict(os.environ, PYTHONPATH=str(kit.KIT_ROOT), TERM="xterm", LANG="C.UTF-8")
        env.pop("GRADE_LANG", None)
        self.process = subprocess.Popen([sys.executable, "-c", "from grader.cli.group import entry; entry()", *args],
                                        cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True)
        os.close(slave)
        self.seen = b""
        self.children: set[int] = set()

    def expect(self, pattern: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        start = len(self.seen)
        while time.monotonic() < deadline:
            self.children |= _descendants(self.process.pid)
            text = ANSI.sub(b"", self.seen[start:]).decode("utf-8", "replace")
            if re.search(pattern, text):
                return text
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:
                    break
        raise AssertionError(f"{pattern!r} did not show up (exit status {self.process.poll()}); got:\n"
                             + ANSI.sub(b"", self.seen[start:]).decode("utf-8", "replace")[-3000:])

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def finish(self, timeout: float = 10.0) -> int:
        code = self.process.wait(timeout=timeout)
        os.close(self.master)
        return code


@pytest.fixture
def learner_kit(tmp_path):
    shutil.copytree(kit.KIT_ROOT / "exercises", tmp_path / "exercises")
    return tmp_path


def _no_process_left(children: set[int]) -> None:
    until = time.monotonic() + 3
    while any(_alive(pid) for pid in children) and time.monotonic() < until:
        time.sleep(0.05)
    assert children and not [pid for pid in children if _alive(pid)]


def _save(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_watch_regrades_on_save_survives_errors_and_moves_on(learner_kit):
    exercises = learner_kit / "exercises"
    terminal = Terminal(["watch", "2"], learner_kit)
    try:
        _watch_a_session(terminal, exercises)
    finally:
        terminal.kill()


def _watch_a_session(terminal: Terminal, exercises: Path) -> None:
    first = terminal.expect(r"Watching exercises/ex02_cost\.py")
    assert "○ ex02_cost" in first and "(not started yet)" in first
    _save(exercises / "ex02_cost.py", "def sum_squared_error(:\n")  # a syntax error
    broken = terminal.expect(r"Watching exercises/ex02_cost\.py")
    assert "! ex02_cost" in broken and "SyntaxError" in broken
    solution = (kit.SOLUTIONS_DIR / "ex02_cost.py").read_text(encoding="utf-8")
    hang = solution.replace("def mse(", "def _mse(").replace("def sum_squared_error(", "def _sse(")
    hang += "\ndef sum_squared_error(prediction, target):\n    while True:\n        pass\n\nmse = _mse\n"
    _save(exercises / "ex02_cost.py", hang)  # a hang: stopped by its budget, the watch goes on
    hung = terminal.expect(r"Watching exercises/ex02_cost\.py", timeout=120)
    assert "did not finish" in hung
    _save(exercises / "ex02_cost.py", solution)
    moved = terminal.expect(r"Watching exercises/ex03_manual_gradient\.py")
    assert "✓ ex02_cost" in moved and "ex02_cost passes! On to ex03_manual_gradient." in moved
    assert "○ ex03_manual_gradient" in moved
    terminal.send(b"q")
    terminal.expect("Stopped watching.")
    assert terminal.finish() == 0
    _no_process_left(terminal.children)


def test_watch_stops_on_ctrl_c_and_leaves_no_process(learner_kit):
    terminal = Terminal(["watch"], learner_kit)
    terminal.expect(r"Watching exercises/ex01_hypothesis\.py")
    os.killpg(terminal.process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    assert terminal.finish() == 130
    _no_process_left(terminal.children)
