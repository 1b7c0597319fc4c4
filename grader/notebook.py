"""Kernel-side runtime of the nbgrader notebooks: grade the learner's cells through the same sandbox as `grade run`.

The set-up cell imports this module (`from grader import notebook as kit_nb`), which starts
recording the code of every cell the kernel runs. A test cell calls `kit_nb.check(exercise,
check_id)`: the recorded learner cells become `<tmp>/<exercise>.py`, `python -m grader run
<exercise> --dir <tmp> --json` grades it in a subprocess (learner code never runs in the
grader's process), the report is cached per code hash for the following test cells, and a
check that did not pass raises `CheckFailed`, which renders as a few plain lines (no
traceback, nothing on stderr: nbgrader scores stderr in a test cell as 0).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

SETUP_IMPORT = "from grader import notebook as kit_nb"
RUN_TIMEOUT = 600.0  # nbgrader's own cell timeout interrupts us much earlier

_cells: list[tuple[str, bool]] = []  # (raw source, ran without error), in execution order
_reports: dict[str, dict] = {}  # code hash -> JSON report
_installed = False


class CheckFailed(Exception):
    """A check that did not pass; IPython shows only its own lines, never a traceback."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines

    def _render_traceback_(self) -> list[str]:
        return list(self.lines)


# recording the learner's cells ----------------------------------------------------------------
def _record(result) -> None:
    source = getattr(getattr(result, "info", None), "raw_cell", None)
    if isinstance(source, str):
        _cells.append((source, bool(getattr(result, "success", False))))


def _install() -> None:
    """Hook into the running IPython kernel, once; outside a kernel (e.g. in a sandbox worker) do nothing."""
    global _installed
    if _installed or "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    history = shell.user_ns.get("In", [])
    _cells.extend((source, True) for source in history[1:-1])  # cells run before this import
    shell.events.register("post_run_cell", _record)
    _installed = True


_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _calls_grader(node: ast.stmt) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "kit_nb" or isinstance(n, ast.alias) and n.asname == "kit_nb"
               for n in ast.walk(node))


def _cell_code(source: str, succeeded: bool) -> str:
    """The part of one cell that belongs in the learner's module (original text, comments kept)."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return ""  # it failed in the kernel too
    drop: set[int] = set()
    for node in tree.body:
        if _calls_grader(node) or not succeeded and not isinstance(node, _DEFINITIONS):
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            drop.update(range(first - 1, node.end_lineno))
    return "\n".join(line for index, line in enumerate(lines) if index not in drop).strip("\n")


def learner_code() -> str:
    """The module the recorded cells add up to, in execution order.

    Statements that use the grader (`kit_nb`) are left out, and IPython magics and shell
    escapes; a cell that raised or was interrupted (a loop at top level stopped by the
    timeout) keeps only its imports and definitions, which the kernel did run before.
    """
    parts = ["# The learner's notebook cells, in the order the kernel ran them."]
    parts += [code for code in (_cell_code(source, ok) for source, ok in _cells) if code.strip()]
    return "\n\n\n".join(parts) + "\n"


# grading ----------------------------------------------------------------------------------------
def _grade(exercise: str, code: str) -> dict:
    digest = hashlib.sha256(f"{exercise}\0{code}".encode("utf-8")).hexdigest()
    if digest in _reports:
        return _reports[digest]
    with tempfile.TemporaryDirectory(prefix="kit-nb-") as folder:
        Path(folder, f"{exercise}.py").write_text(code, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONSTARTUP", "GRADE_DEBUG")}
        process = subprocess.run([sys.executable, "-m", "grader", "run", exercise, "--dir", folder, "--json"],
                                 cwd=folder, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 timeout=RUN_TIMEOUT)
    if process.returncode not in (0, 1):
        detail = (process.stderr.strip().splitlines() or [f"exit status {process.returncode}"])[-1]
        raise CheckFailed([f"✗ the grader could not run: {detail}"])
    report = json.loads(process.stdout)
    _reports[digest] = report
    return report


def _lines(exercise: dict, result: dict) -> list[str]:
    lines = [f"✗ {result['description']}  [{result['status']}, {result['points']:g}/{result['max_points']:g}]"]
    if exercise.get("message") and result["status"] == "skipped":
        lines.append(f"  {exercise['message']}")
    if result.get("message"):
        lines.append(f"  {result['message']}")
    if result.get("hint"):
        lines.append(f"  hint: {result['hint']}")
    return lines


def check(exercise: str, check_id: str) -> None:
    """Run one of the kit's checks on this notebook's code; raise CheckFailed unless it passed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = _grade(exercise, learner_code())
    found = [e for e in report.get("exercises", []) if e["id"] == exercise]
    results = [c for c in (found[0]["checks"] if found else []) if c["id"] == check_id]
    if not results:
        if found and found[0].get("message"):
            raise CheckFailed([f"✗ {exercise}: {found[0]['message']}"])
        raise CheckFailed([f"✗ no check {check_id!r} in {exercise} here (hidden checks run only when work is graded)"])
    result = results[0]
    if result["status"] != "passed":
        raise CheckFailed(_lines(found[0], result))
    if result["visibility"] == "public":
        print(f"✓ {result['description']}")
    return None


_install()
