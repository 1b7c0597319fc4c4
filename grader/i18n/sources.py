"""Every learner-facing English text of the kit, found where it is written (the extractor).

- each exercise's exercise.toml and grader/curriculum/mistakes.toml: titles, hints, the known-mistake hints;
- the exercise statements: each paragraph of the reference solutions' docstrings (grader/i18n/statements.py);
- the checks' docstrings (the description a learner reads), read with `ast` (no import);
- `tr("...")` / `gettext("...")` / `N_("...")` templates anywhere in grader/ (also read with `ast`),
  and the `TEXT = {...}` tables of grader/learner/;
- the help of the learner commands (those with a `--lang` option) and of the `grade` group.

Each text comes with an id that says where it lives (`ex02_cost.hint.1`, `mistake.rmse`,
`ex02_cost.check.mse_matches_definition`, `grader/grading/expect.py`, `cli.run.--dir`).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from grader.i18n import N_  # noqa: F401 - the marker, also importable from here

if TYPE_CHECKING:
    import click

GRADER_DIR = Path(__file__).resolve().parent.parent
# functions whose argument at this position is a literal learner-facing template
MARKERS = {"tr": 0, "gettext": 0, "N_": 0, "_say": 1}




def metadata_texts() -> Iterator[tuple[str, str]]:
    from grader.catalog import metadata

    catalog = metadata.load()
    own = {}
    for exercise in catalog.exercises:
        yield f"{exercise.id}.title", exercise.title
        for number, hint in enumerate(exercise.hints, start=1):
            yield f"{exercise.id}.hint.{number}", hint
        own.update({mistake: exercise.id for mistake in _own_mistakes(exercise)})
    from grader.i18n import mistake_label

    for mistake, hint in catalog.mistakes.items():
        yield (f"{own[mistake]}.mistake.{mistake}" if mistake in own else f"mistake.{mistake}"), hint
        yield f"mistake.{mistake}.name", mistake_label(mistake)  # named in a hidden check's message
    from grader.grading.known_errors import MISTAKES

    for mistake in MISTAKES:  # recognised exceptions (their hints are tr() texts of grader/grading/known_errors.py)
        yield f"mistake.{mistake}.name", mistake_label(mistake)


def _own_mistakes(exercise) -> list[str]:
    """The mistakes whose hint the exercise's own exercise.toml holds."""
    try:
        import tomllib  # novermin - Python 3.11+, tomli below
    except ImportError:  # Python 3.10
        import tomli as tomllib

    return list(tomllib.loads(exercise.metadata_file.read_text(encoding="utf-8")).get("mistake", {}))


def statement_texts() -> Iterator[tuple[str, str]]:
    """Every paragraph of every exercise's statement (the reference solution's docstrings), and the stub's TODO lines."""
    from grader.catalog import kit, metadata, stubs
    from grader.i18n.statements import paragraphs

    yield "grader/catalog/stubs.py", stubs.TODO_LINE
    yield "grader/catalog/stubs.py", stubs.RAISE_MESSAGE
    for exercise in metadata.load().exercises:
        if not exercise.solution_file.is_file():
            continue
        for where, number, english in paragraphs(exercise.solution_file.read_text(encoding="utf-8"), exercise.filename):
            yield f"{exercise.id}.{where}.{number}", english


def _is_check(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Name) and target.id == "check") or (
        isinstance(target, ast.Attribute) and target.attr == "check")


def check_descriptions() -> Iterator[tuple[str, str]]:
    from grader.catalog import metadata

    for exercise_entry in metadata.load().exercises:
        path, exercise = exercise_entry.check_file, exercise_entry.id
        if not path.is_file():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), path.name)):
            if isinstance(node, ast.FunctionDef) and any(_is_check(d) for d in node.decorator_list):
                doc = ast.get_docstring(node)
                if doc:
                    yield f"{exercise}.check.{node.name.removeprefix('test_')}", doc.splitlines()[0].strip()


def _marker_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _code_files(root: Path) -> Iterator[tuple[Path, str]]:
    """The grader's modules and every course exercise's (its learner-code samples left out), with their ids."""
    from grader.catalog import metadata

    for path in sorted(root.rglob("*.py")):
        yield path, path.relative_to(root.parent).as_posix()
    if root != GRADER_DIR:
        return
    for folder in metadata.outside_folders(metadata.load()):
        for path in sorted(folder.rglob("*.py")):
            yield path, f"{folder.name}/{path.relative_to(folder).as_posix()}"


def _learner_code(relative: str) -> bool:
    from grader.catalog.metadata import ALTERNATIVES_DIR, MISTAKEN_DIR

    return f"/{ALTERNATIVES_DIR}/" in relative or f"/{MISTAKEN_DIR}/" in relative


def code_templates(root: Path = GRADER_DIR) -> Iterator[tuple[str, str]]:
    for path, relative in _code_files(root):
        if _learner_code(relative):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), path.name)
        constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                     and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                     for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            position = MARKERS.get(_marker_name(node)) if isinstance(node, ast.Call) else None
            if position is not None and len(node.args) > position:
                first = node.args[position]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield relative, first.value
                elif isinstance(first, ast.Name) and first.id in constants:  # tr(NOT_STARTED), a module constant
                    yield relative, constants[first.id]
            elif (isinstance(node, ast.Assign) and relative.startswith("grader/learner/")
                  and any(isinstance(t, ast.Name) and t.id == "TEXT" for t in node.targets)
                  and isinstance(node.value, ast.Dict)):
                for value in node.value.values:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        yield relative, value.value


def cli_texts(main: "click.Group") -> Iterator[tuple[str, str]]:
    """The help a learner reads: the group's, each command's line in it, and every command that takes `--lang`
    (the caller hands in the group)."""
    import inspect

    import click

    yield "cli", main.help.split("\n\n")[0] if main.help else ""
    context = click.Context(main)
    for name, command in sorted(main.commands.items()):
        names = {p.name for p in command.params}
        if "lang" not in names:
            if command.help and not command.hidden:  # its line in `grade --help`
                yield f"cli.{name}", inspect.cleandoc(command.help).partition("\f")[0]
            continue
        if command.help:
            yield f"cli.{name}", command.help
        if command.short_help:
            yield f"cli.{name}", command.short_help
        for param in command.get_params(context):
            if isinstance(param, click.Option) and param.help:
                yield f"cli.{name}.{param.opts[0]}", param.help


def owner(where: str, exercises: set[str]) -> str | None:
    """The exercise a text belongs to (its ko.toml holds the translation), or None for the grader's own."""
    head = where.split(".", 1)[0]
    if head in exercises:
        return head
    parts = where.split("/")
    if where.startswith("grader/curriculum/") and len(parts) > 3 and parts[2] in exercises:
        return parts[2]
    if parts[0] in exercises and len(parts) > 1:
        return parts[0]  # a module of a course folder outside the kit
    return None


def texts_by_owner(group: "click.Group | None") -> dict[str | None, list[tuple[str, str]]]:
    """The texts that need a translation, grouped by the exercise they belong to (None: the grader's own).

    A text more than one exercise uses (or an exercise and the grader) belongs to the grader's
    catalog, so removing one exercise folder never takes away another's translation. Without the
    command group the help texts (the grader's own, never an exercise's) are left out.
    """
    from grader.catalog import metadata
    from grader.i18n import needs_translation

    exercises = {e.id for e in metadata.load().exercises}
    places: dict[str, list[tuple[str, str | None]]] = {}
    for source in (metadata_texts(), statement_texts(), check_descriptions(), code_templates(),
                   cli_texts(group) if group else ()):
        for where, english in source:
            if english and needs_translation(english):
                places.setdefault(english, []).append((where, owner(where, exercises)))
    grouped: dict[str | None, list[tuple[str, str]]] = {}
    for english, found in places.items():
        owners = {who for _, who in found}
        grouped.setdefault(owners.pop() if len(owners) == 1 else None, []).append((found[0][0], english))
    return grouped


def learner_texts(group: "click.Group") -> list[tuple[str, str]]:
    """(id, English text) for every learner-facing text that needs a translation, without repeats.

    `group` is the `grade` command group (grader.cli.group.main): its help is read from it, and i18n
    never imports the command line itself (the command line sits above i18n).
    """
    from grader.i18n import needs_translation

    seen: set[str] = set()
    found = []
    sources = (metadata_texts(), statement_texts(), check_descriptions(), code_templates(), cli_texts(group))
    for source in sources:
        for where, english in source:
            if english and english not in seen and needs_translation(english):
                seen.add(english)
                found.append((where, english))
    return found
