"""Every learner-facing English text of the kit, found where it is written (the extractor).

- grader/exercises.toml: titles, hints, the known-mistake catalog;
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

if TYPE_CHECKING:
    import click

GRADER_DIR = Path(__file__).resolve().parent.parent
# functions whose argument at this position is a literal learner-facing template
MARKERS = {"tr": 0, "gettext": 0, "N_": 0, "_say": 1}


def N_(text: str) -> str:
    """Mark a literal as learner-facing text translated later (by `gettext`/`localize`)."""
    return text


def metadata_texts() -> Iterator[tuple[str, str]]:
    from grader.catalog import metadata

    catalog = metadata.load()
    for exercise in catalog.exercises:
        yield f"{exercise.id}.title", exercise.title
        for number, hint in enumerate(exercise.hints, start=1):
            yield f"{exercise.id}.hint.{number}", hint
    for mistake, hint in catalog.mistakes.items():
        yield f"mistake.{mistake}", hint


def _is_check(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Name) and target.id == "check") or (
        isinstance(target, ast.Attribute) and target.attr == "check")


def check_descriptions() -> Iterator[tuple[str, str]]:
    for path in sorted((GRADER_DIR / "checks").glob("check_*.py")):
        exercise = path.stem.removeprefix("check_")
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


def code_templates(root: Path = GRADER_DIR) -> Iterator[tuple[str, str]]:
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).as_posix()
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
    """The help a learner reads: the group's, and every command that takes `--lang` (the caller hands in the group)."""
    import click

    yield "cli", main.help.split("\n\n")[0] if main.help else ""
    context = click.Context(main)
    for name, command in sorted(main.commands.items()):
        names = {p.name for p in command.params}
        if "lang" not in names:
            continue
        if command.help:
            yield f"cli.{name}", command.help
        if command.short_help:
            yield f"cli.{name}", command.short_help
        for param in command.get_params(context):
            if isinstance(param, click.Option) and param.help:
                yield f"cli.{name}.{param.opts[0]}", param.help


def learner_texts(group: "click.Group") -> list[tuple[str, str]]:
    """(id, English text) for every learner-facing text that needs a translation, without repeats.

    `group` is the `grade` command group (grader.cli.group.main): its help is read from it, and i18n
    never imports the command line itself (the command line sits above i18n).
    """
    from grader.i18n import needs_translation

    seen: set[str] = set()
    found = []
    sources = (metadata_texts(), check_descriptions(), code_templates(), cli_texts(group))
    for source in sources:
        for where, english in source:
            if english and english not in seen and needs_translation(english):
                seen.add(english)
                found.append((where, english))
    return found
