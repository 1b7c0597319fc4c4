"""Kernel-side runtime of the nbgrader notebooks, and the parts it shares with the autograder.

The set-up cell imports this module (`from grader import notebook as kit_nb`), which starts
recording the code of every cell the kernel runs. A test cell calls `kit_nb.check(exercise,
check_id)`: the recorded learner cells become `<tmp>/<exercise>.py`, `python -m grader run
<exercise> --dir <tmp> --json` grades it in a subprocess (learner code never runs in the
grader's process), the report is cached per code hash for the following test cells (test
cells add nothing to the code, so a notebook is graded once), and a check that did not pass
raises `CheckFailed`, which renders as a few plain lines (no traceback, nothing on stderr).

That is for a learner running the notebook. The grade book does not trust the kernel (the
learner's code can rebind `check`): at `nbgrader autograde` the test cells do not run in the
kernel at all; grader/instructor/autograde.py grades the notebook's code once, out of the
kernel, with `module_code`, `grade_code` and `verdict` below, and writes the test cells' outputs.
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


def _is_grader_module(name: str | None) -> bool:
    return name is not None and (name == "grader" or name.startswith("grader."))


def _bound_names(node: ast.stmt) -> set[str]:
    """The names a top-level statement binds (assignment targets, imports, definitions)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {alias.asname or alias.name.split(".")[0] for alias in node.names}
    names = {node.name} if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            names.add(child.id)
    return names


def _uses_grader(node: ast.stmt, grader_names: set[str]) -> bool:
    """Whether a statement touches the kit itself: imports from `grader`, names bound from it, or its module names."""
    if isinstance(node, ast.Import) and any(_is_grader_module(alias.name) for alias in node.names):
        return True
    if isinstance(node, ast.ImportFrom) and node.level == 0 and _is_grader_module(node.module):
        return True
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and child.id in grader_names:
            return True
        if isinstance(child, ast.Constant) and isinstance(child.value, str) and _is_grader_module(child.value):
            return True  # sys.modules["grader.grading.notebook"], importlib.import_module("grader.grading.notebook")
    return False


def cell_code(source: str, succeeded: bool, grader_names: set[str] | None = None) -> str:
    """The part of one cell that belongs in the learner's module (original text, comments kept).

    `grader_names` (updated in place) holds the names bound to the kit so far: statements using
    them are left out, and what such a statement binds is the kit's too. A cell left with
    comments only (a test cell once its grader call is gone) adds nothing, so running test
    cells never changes the module and its report is reused.
    """
    grader_names = {"kit_nb"} if grader_names is None else grader_names
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return ""  # it failed in the kernel too
    drop: set[int] = set()
    kept = 0
    for node in tree.body:
        kit = _uses_grader(node, grader_names)
        if kit:
            grader_names |= _bound_names(node)
        if kit or not succeeded and not isinstance(node, _DEFINITIONS):
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            drop.update(range(first - 1, node.end_lineno))
        else:
            kept += 1
    if not kept:
        return ""
    return "\n".join(line for index, line in enumerate(lines) if index not in drop).strip("\n")


def module_code(cells) -> str:
    """The module that (cell source, ran without error) pairs add up to, in the order given.

    Left out: statements that touch the kit (`kit_nb`, imports from `grader`, names bound from
    them: the graded code is the learner's alone, and rebinding the kernel's grader is not part
    of it), IPython magics and shell escapes. A cell that raised or was interrupted (a loop at
    top level stopped by the timeout) keeps only its imports and definitions, which the kernel
    did run before.
    """
    grader_names = {"kit_nb"}
    parts = ["# The learner's notebook cells, in the order the kernel ran them."]
    parts += [code for code in (cell_code(source, ok, grader_names) for source, ok in cells) if code]
    return "\n\n\n".join(parts) + "\n"


def learner_code() -> str:
    """The module of the cells this kernel has run so far."""
    return module_code(_cells)


# grading ----------------------------------------------------------------------------------------
class GraderUnavailable(Exception):
    """The grader itself could not produce a report (not a verdict on the learner's code)."""


# `python -m grader` with the current folder (holding the learner's file) off the grader's import
# path: what `-P` does on Python 3.11+, spelled so 3.10 runs it too
GRADE_COMMAND = (sys.executable, "-c", "import runpy, sys; sys.path.pop(0); "
                 "runpy.run_module('grader', run_name='__main__', alter_sys=True)")


def grade_code(exercise: str, code: str) -> dict:
    """The JSON report of `grade run EXERCISE` on `code`, graded in a subprocess (the sandbox)."""
    with tempfile.TemporaryDirectory(prefix="kit-nb-") as folder:
        Path(folder, f"{exercise}.py").write_text(code, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONSTARTUP", "GRADE_DEBUG")}
        process = subprocess.run([*GRADE_COMMAND, "run", exercise, "--dir", folder, "--json"],
                                 cwd=folder, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 timeout=RUN_TIMEOUT)
    detail = (process.stderr.strip().splitlines() or [f"exit status {process.returncode}"])[-1]
    if process.returncode not in (0, 1):
        raise GraderUnavailable(detail)
    try:
        report = json.loads(process.stdout)
    except ValueError:
        raise GraderUnavailable(detail) from None
    if not isinstance(report, dict) or not isinstance(report.get("exercises"), list):
        raise GraderUnavailable("the grader's report has no exercises")
    return report


def _grade(exercise: str, code: str) -> dict:
    digest = hashlib.sha256(f"{exercise}\0{code}".encode("utf-8")).hexdigest()
    if digest not in _reports:
        try:
            _reports[digest] = grade_code(exercise, code)
        except GraderUnavailable as exc:
            raise CheckFailed([f"✗ the grader could not run: {exc}"]) from None
    return _reports[digest]


def _lines(exercise: dict, result: dict) -> list[str]:
    lines = [f"✗ {result['description']}  [{result['status']}, {result['points']:g}/{result['max_points']:g}]"]
    if exercise.get("message") and result["status"] == "skipped":
        lines.append(f"  {exercise['message']}")
    if result.get("message"):
        lines.append(f"  {result['message']}")
    if result.get("hint"):
        lines.append(f"  hint: {result['hint']}")
    return lines


def verdict(report: dict, exercise: str, check_id: str) -> tuple[float | None, list[str]]:
    """(points, lines to show) of one check in a report; points None when the check did not pass.

    A passed public check shows `✓ description`, a passed hidden check nothing. A check that did
    not pass shows its description, status, safe message and hint (a hidden check's message
    names no inputs or expected values); a check missing from the report did not pass.
    """
    found = [e for e in report.get("exercises", []) if e.get("id") == exercise]
    results = [c for c in (found[0].get("checks", []) if found else []) if c.get("id") == check_id]
    if not results:
        if found and found[0].get("message"):
            return None, [f"✗ {exercise}: {found[0]['message']}"]
        return None, [f"✗ no check {check_id!r} in {exercise} here (hidden checks run only when work is graded)"]
    result = results[0]
    if result["status"] != "passed":
        return None, _lines(found[0], result)
    return float(result["points"]), ([f"✓ {result['description']}"] if result["visibility"] == "public" else [])


def check(exercise: str, check_id: str) -> None:
    """Run one of the kit's checks on this notebook's code; raise CheckFailed unless it passed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = _grade(exercise, learner_code())
    points, lines = verdict(report, exercise, check_id)
    lines = [*_sandbox_line(report), *lines]
    if points is None:
        raise CheckFailed(lines)
    for line in lines:
        print(line)
    return None


_told: set[str] = set()  # what this kernel was already told about the sandbox


def _sandbox_line(report: dict) -> list[str]:
    """Once per kernel: the isolation layers that held for the notebook's code on this machine."""
    layers = [str(layer) for layer in report.get("confinement", []) if isinstance(layer, str)]
    if not isinstance(report.get("confinement"), list) or "layers" in _told:
        return []
    _told.add("layers")
    from grader.i18n import localize, tr

    return [localize(tr("sandbox: your code ran in a separate process; isolation layers that held here: {layers}",
                        layers=", ".join(layers) if layers else tr("none")))]


_install()
