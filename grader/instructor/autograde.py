"""`nbgrader autograde` whose scores come from the kit's grader, not from the learner's kernel.

nbgrader scores a test cell by what its execution left behind (an error or stderr output: 0
points, anything else: full points), and the test cells run in the learner's kernel, after the
learner's code. So two lines in a learner cell (`kit_nb.check = lambda *a: None`) would turn
every test cell green. `KitExecute` replaces nbgrader's `Execute` in the autograde pipeline
(the course's nbgrader_config.py says so) and takes the test cells out of the kernel:

1. the kit's test cells (locked grade cells whose source, put back from the gradebook by
   `OverwriteCells`, is one `kit_nb.check("<exercise>", "<check id>")` call) are emptied, so the
   kernel runs the learner's notebook without them;
2. after the run, the learner's code is read from the executed notebook, cell by cell, as the
   kernel ran it (`grader.grading.notebook.module_code`: test cells, statements that touch the kit and
   magics left out; a cell that raised or was interrupted keeps only its imports and definitions);
3. that code is graded once per exercise by `python -m grader run <exercise> --dir <tmp> --json`
   in a subprocess (the sandbox: learner code never runs in nbgrader's process);
4. each test cell gets its source back and, as outputs, the check's verdict: `✓ description`
   (public, passed), nothing (hidden, passed), or a `CheckFailed` error with a few plain lines.

`SaveAutoGrades` then reads those outputs as usual. Nothing the kernel did can reach a test
cell's outputs. Other grade cells (an instructor's own tests) run in the kernel as before.

With `c.KitExecute.execute_learner_cells = False` no kernel is started at all: the learner's
code runs only in the kit's sandbox (every cell counts as having run, and the feedback shows no
learner output). Grade cells that are not the kit's then score nothing.
"""

from __future__ import annotations

import ast
from textwrap import dedent

from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool

from grader.grading.notebook import CheckFailed, GraderUnavailable, grade_code, module_code, verdict


class KitGradingError(Exception):
    """The grader could not grade a notebook: nbgrader reports this submission as failed, scores nothing."""


def kit_call(source: str) -> tuple[str, str] | None:
    """(exercise, check id) when a cell's code is exactly one `kit_nb.check("...", "...")` call."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "check"
            and isinstance(call.func.value, ast.Name) and call.func.value.id == "kit_nb" and not call.keywords
            and len(call.args) == 2 and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                            for a in call.args)):
        return None
    return call.args[0].value, call.args[1].value


def kit_test_cells(nb) -> list[tuple[object, str, str]]:
    """(cell, exercise, check id) for every kit test cell: a locked, autograded code cell calling kit_nb.check."""
    found = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution") or not meta.get("locked"):
            continue
        target = kit_call(cell.source)
        if target is not None:
            found.append((cell, *target))
    return found


def _failed(cell) -> bool:
    return any(output.get("output_type") == "error" for output in cell.get("outputs", []))


def _is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def learner_module(nb) -> str:
    """The code of every code cell but the autograder test cells (the kit's and any other), as the kernel ran it."""
    return module_code((cell.source, not _failed(cell)) for cell in nb.cells
                       if cell.cell_type == "code" and not _is_test_cell(cell))


def verdict_outputs(report: dict, exercise: str, check_id: str, max_points: float) -> list:
    """A test cell's outputs for nbgrader: an error for no points, a number for fewer points than the cell's."""
    points, lines = verdict(report, exercise, check_id)
    if points is None:
        return [new_output("error", ename="CheckFailed", evalue=str(CheckFailed(lines)), traceback=list(lines))]
    outputs = [new_output("stream", name="stdout", text="".join(f"{line}\n" for line in lines))] if lines else []
    if points < max_points:  # nbgrader reads a number as the cell's value as partial credit
        outputs.append(new_output("execute_result", data={"text/plain": repr(points)}, metadata={},
                                  execution_count=None))
    return outputs


class KitExecute(Execute):
    """nbgrader's Execute, with the kit's test cells graded out of the kernel (see the module docstring)."""

    execute_learner_cells = Bool(False, help=dedent("""
        False (the default): no kernel is started and learner code runs only in the kit's confined
        sandbox; every cell counts as having run (a loop at the top level of a cell makes the whole
        module time out), and grade cells that are not the kit's get no points. True: also run the
        submitted notebook (without the kit's test cells) in a Jupyter kernel, so the feedback shows
        the learner's outputs; that kernel is not confined (it runs as the account running nbgrader).
        """)).tag(config=True)

    def preprocess(self, nb, resources):
        tests = kit_test_cells(nb)
        if not tests:
            return super().preprocess(nb, resources)
        if self.execute_learner_cells:
            sources = [(cell, cell.source) for cell, _, _ in tests]
            for cell, _ in sources:
                cell.source = ""  # an empty cell is not sent to the kernel
            try:
                nb, resources = super().preprocess(nb, resources)
            finally:
                for cell, source in sources:
                    cell.source = source
        else:
            kit = {id(cell) for cell, _, _ in tests}
            not_run = ["not run: this course grades notebooks without a kernel"]
            for cell in nb.cells:  # an instructor's own test cell cannot pass without running
                if cell.cell_type == "code" and _is_test_cell(cell) and id(cell) not in kit:
                    cell.outputs = [new_output("error", ename="NotRun", evalue="", traceback=not_run)]
        code = learner_module(nb)
        reports = {}
        for exercise in dict.fromkeys(exercise for _, exercise, _ in tests):
            self.log.info("Grading the code of %s with the kit (%s)", resources.get("nbgrader", {}).get("student"),
                          exercise)
            try:
                reports[exercise] = grade_code(exercise, code)
            except GraderUnavailable as exc:
                raise KitGradingError(f"the kit's grader could not grade {exercise}: {exc}") from None
        for cell, exercise, check_id in tests:
            cell.outputs = verdict_outputs(reports[exercise], exercise, check_id,
                                           float(cell.metadata["nbgrader"].get("points", 0)))
            cell.execution_count = None
        return nb, resources
