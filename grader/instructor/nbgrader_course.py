"""`grade nbgrader build COURSE_DIR`: an nbgrader course graded by the kit's own sandboxed checks.

Layout: one assignment per exercise, named like the exercise, holding one notebook
(`source/ex02_cost/ex02_cost.ipynb`), so every exercise is generated, collected and graded on
its own. The notebook comes from the same sources as everything else: markdown from the
solution module's docstring, a locked set-up cell from its imports, one solution cell per
function (nbgrader's `### BEGIN/END SOLUTION` markers turn into stubs), and one locked
autograder test cell per check with that check's points (hidden checks inside
`### BEGIN/END HIDDEN TESTS`). See grader/grading/notebook.py for what a test cell does in a learner's
kernel, and grader/instructor/autograde.py for how `nbgrader autograde` grades them out of it.

A hidden check's grade id is a keyed hash of its id, with a salt drawn for the course at its
first build and kept in `kit-course.json` next to nbgrader_config.py (instructor-only, like the
gradebook): a student cannot tell which hidden checks a notebook has by hashing check ids.
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import importlib
import inspect
import json
import secrets
from pathlib import Path

from grader.catalog import kit
from grader.grading.checking import CheckSpec, spec_of
from grader.catalog.metadata import Exercise
from grader.grading.notebook import SETUP_IMPORT
from grader.catalog.stubs import BEGIN

CONFIG_NAME = "nbgrader_config.py"
COURSE_FILE = "kit-course.json"  # the course's salt for hidden grade ids; never released
CONFIG = '''"""nbgrader configuration written by `grade nbgrader build` (docs/instructors.md explains each choice)."""

c = get_config()  # noqa: F821 - nbgrader provides get_config

c.CourseDirectory.course_id = {course_id!r}

# With a kernel (execute_learner_cells below), a cell running longer than this (a learner's
# infinite loop at cell top level) is interrupted, and the next cells still run.
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True

# A deleted or renamed test cell is put back from the gradebook and graded: no free pass.
c.OverwriteCells.add_missing_cells = True

# The kit's test cells are graded out of the learner's kernel, by the kit's sandboxed grader,
# once per notebook: KitExecute stands where nbgrader's Execute stood (the rest is nbgrader
# 0.9.6's default list). A learner's code cannot change a test cell's outcome.
# Learner code runs only in the kit's confined sandbox: no Jupyter kernel is started. Setting
# this to True also runs each notebook in a kernel (learner outputs in the feedback), but that
# kernel is NOT confined: it can read and write whatever the account running nbgrader can.
c.KitExecute.execute_learner_cells = False
c.Autograde.autograde_preprocessors = [
    "grader.instructor.autograde.KitExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}

# Feedback shows test cells without their hidden region (nbgrader otherwise prints it, #917).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
'''


class BuildError(Exception):
    """The course cannot be written as asked (an instructor mistake); the message says why."""


def checks_of(exercise_id: str) -> list[CheckSpec]:
    """The exercise's checks in the order they are written."""
    module = importlib.import_module(f"grader.curriculum.{exercise_id}.checks")
    functions = [v for v in vars(module).values() if inspect.isfunction(v) and spec_of(v) is not None]
    return [spec_of(f) for f in sorted(functions, key=lambda f: f.__code__.co_firstlineno)]


def check_cell_id(exercise_id: str, spec: CheckSpec, salt: str) -> str:
    """The grade id of a check's test cell; a hidden check's id says nothing about what it tests.

    It is an HMAC of the check id keyed with the course's salt: without the salt, hashing the
    check ids a student can guess confirms none of them.
    """
    if spec.visibility == "hidden":
        digest = hmac.new(salt.encode(), f"{exercise_id}/{spec.id}".encode(), hashlib.sha256).hexdigest()
        return f"{exercise_id}-hidden-{digest[:12]}"
    return f"{exercise_id}-check-{spec.id}"


def course_salt(course_dir: Path) -> str | None:
    """The salt of an existing course (its kit-course.json), or None before the first build."""
    path = Path(course_dir) / COURSE_FILE
    if not path.exists():
        return None
    try:
        salt = json.loads(path.read_text(encoding="utf-8"))["hidden_id_salt"]
    except (ValueError, KeyError, TypeError):
        raise BuildError(f"{path} is not the file `grade nbgrader build` wrote (no hidden_id_salt in it)") from None
    if not isinstance(salt, str) or len(salt) < 32:
        raise BuildError(f"{path}: hidden_id_salt must be a string of at least 32 characters")
    return salt


def _course_file(salt: str) -> str:
    return json.dumps({
        "about": "Written by `grade nbgrader build`; keep it with the course and never hand it out: the salt "
                 "hides which hidden checks a notebook has, and a rebuild must reuse it (same grade ids).",
        "hidden_id_salt": salt,
    }, indent=2) + "\n"


def _meta(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False,
          points: float | None = None) -> dict:
    """nbgrader cell metadata, schema version 3, no extra keys."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if grade:
        meta["points"] = float(points or 0.0)
    return meta


def _cell_id(grade_id: str) -> str:
    return grade_id if len(grade_id) <= 64 else f"{grade_id[:55]}-{hashlib.sha1(grade_id.encode()).hexdigest()[:8]}"


def _code_parts(source: str, filename: str) -> list[tuple[str, str | None]]:
    """(code, function name or None) per top-level statement after the docstring.

    A part runs up to the next statement, so comments inside a function after its last line
    (`### END SOLUTION`) stay with it, while a column-0 comment block goes with what follows it.
    """
    tree = ast.parse(source, filename)
    lines = source.splitlines()
    body = tree.body[1:] if ast.get_docstring(tree) is not None else tree.body
    starts = []
    for node in body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        while start > 0 and lines[start - 1].startswith("#"):
            start -= 1
        starts.append(start)
    spans: list[tuple[int, int, str | None]] = []
    for node, start, end in zip(body, starts, starts[1:] + [len(lines)]):
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            continue  # a kernel's __name__ is "__main__": such a block would run there
        name = node.name if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        if name is None and spans and spans[-1][2] is None and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end, None)  # consecutive statements share one cell, as written
        else:
            spans.append((start, end, name))
    return [("\n".join(lines[start:end]).strip("\n"), name) for start, end, name in spans]


def notebook(exercise: Exercise, solution_source: str, checks: list[CheckSpec], salt: str):
    """The instructor ("source") notebook of one exercise."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = []

    def add(cell, grade_id: str, **meta):
        cell.id = _cell_id(grade_id)
        cell.metadata["nbgrader"] = _meta(grade_id, **meta)
        if meta.get("locked"):
            cell.metadata.update(editable=False, deletable=False)
        cells.append(cell)

    ex = exercise.id
    doc = ast.get_docstring(ast.parse(solution_source)) or exercise.title
    heading, _, rest = doc.partition("\n")
    add(new_markdown_cell(f"# {heading.strip()}\n\n{rest.strip()}".strip()), f"{ex}-intro", locked=True)
    total = sum(c.points for c in checks)
    hidden = sum(c.points for c in checks if c.visibility == "hidden")
    add(new_markdown_cell(
        "## How this notebook is graded\n\n"
        "Run the set-up cell first. Write your code where it says `YOUR CODE HERE` (replace the "
        "`raise NotImplementedError()`), keeping each function's name and arguments.\n\n"
        f"The cells under **Checks** run the kit's checks on your code: {total:g} points, "
        f"{hidden:g} of them in hidden checks that run only when your notebook is graded. "
        "A check that does not pass says why. When your notebook is graded, the grader runs the checks "
        "on your code itself, outside the notebook: editing, deleting or redefining the check cells "
        "changes nothing."), f"{ex}-howto", locked=True)
    setup_done = False
    for code, function in _code_parts(solution_source, exercise.filename):
        if function is None and not setup_done:
            add(new_code_cell(f"{code}\n\n{SETUP_IMPORT}"), f"{ex}-setup", locked=True)
            setup_done = True
        elif function is None:
            add(new_code_cell(code), f"{ex}-code-{len(cells)}", locked=True)
        else:
            add(new_code_cell(code), f"{ex}-{function}", solution=BEGIN in code, locked=BEGIN not in code)
    if not setup_done:
        raise BuildError(f"solutions/{exercise.filename} has no import lines for the set-up cell")
    add(new_markdown_cell("## Checks"), f"{ex}-checks", locked=True)
    for spec in checks:
        call = f"kit_nb.check({ex!r}, {spec.id!r})".replace("'", '"')
        plural = "point" if spec.points == 1 else "points"
        if spec.visibility == "hidden":
            source = (f"# Hidden check ({spec.points:g} {plural}): it runs when your notebook is graded.\n"
                      f"### BEGIN HIDDEN TESTS\n{call}\n### END HIDDEN TESTS")
        else:
            source = f"# {spec.description}  ({spec.points:g} {plural})\n{call}"
        add(new_code_cell(source), check_cell_id(ex, spec, salt), grade=True, locked=True, points=spec.points)
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def build(course_dir: Path, exercises: list[Exercise], *, course_id: str = "torch-exercise-kit",
          timeout: int = 60, force: bool = False) -> list[Path]:
    """Write the config and one source notebook per exercise, and the course's salt the first time.

    Returns the paths written.
    """
    try:
        import nbformat
    except ImportError:
        raise BuildError("nbgrader is not installed: pip install 'torch-exercise-kit[nbgrader]'") from None
    if not kit.SOLUTIONS_DIR.is_dir():
        raise BuildError(f"no reference solutions in {kit.SOLUTIONS_DIR}: build the course from the instructor kit")
    course_dir = Path(course_dir)
    if course_dir.exists() and not course_dir.is_dir():
        raise BuildError(f"{course_dir} exists and is not a folder")
    if not exercises:
        raise BuildError("no exercise has checks yet (grader/curriculum/<id>/checks.py)")
    missing = [e.id for e in exercises if not e.check_file.exists()]
    if missing:
        raise BuildError(f"no checks for {', '.join(missing)} yet (grader/curriculum/<id>/checks.py); choose other exercises")
    targets = {course_dir / CONFIG_NAME: None}
    targets.update({course_dir / "source" / e.id / f"{e.id}.ipynb": e for e in exercises})
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        raise BuildError(f"{existing[0]} exists (use --force to overwrite what an earlier build wrote)")
    salt = course_salt(course_dir)
    written = []
    if salt is None:
        salt = secrets.token_hex(32)
        course_dir.mkdir(parents=True, exist_ok=True)
        (course_dir / COURSE_FILE).write_text(_course_file(salt), encoding="utf-8")
        written.append(course_dir / COURSE_FILE)
    for path, exercise in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if exercise is None:
            path.write_text(CONFIG.format(course_id=course_id, timeout=int(timeout)), encoding="utf-8")
        else:
            source = exercise.solution_file.read_text(encoding="utf-8")
            nbformat.write(notebook(exercise, source, checks_of(exercise.id), salt), str(path))
        written.append(path)
    return written
