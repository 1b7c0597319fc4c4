"""Generate the learner stubs in exercises/ from the reference solutions (the one source of truth).

Every region between `### BEGIN SOLUTION` and `### END SOLUTION` becomes a TODO comment and a
`raise NotImplementedError("exNN: ...")` that names the task, as nbgrader's ClearSolutions does.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Iterable

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_SOLUTION_FILE = re.compile(r"^ex\d\d_[a-z0-9_]+\.py$")


class MarkerError(ValueError):
    """Unbalanced or misplaced solution markers."""


def _function_at(tree: ast.Module, line: int) -> str | None:
    best = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno <= line <= (node.end_lineno or 0):
            if best is None or node.lineno > best.lineno:
                best = node
    return best.name if best else None


def solution_regions(source: str, filename: str) -> list[tuple[int, int, str]]:
    """(begin line index, end line index, function name) for every marked region."""
    tree = ast.parse(source, filename)
    lines = source.splitlines()
    regions, begin = [], None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped == BEGIN:
            if begin is not None:
                raise MarkerError(f"{filename}:{index + 1}: nested {BEGIN}")
            begin = index
        elif stripped == END:
            if begin is None:
                raise MarkerError(f"{filename}:{index + 1}: {END} without {BEGIN}")
            function = _function_at(tree, begin + 1)
            if function is None:
                raise MarkerError(f"{filename}:{begin + 1}: solution markers must be inside a function")
            regions.append((begin, index, function))
            begin = None
    if begin is not None:
        raise MarkerError(f"{filename}:{begin + 1}: {BEGIN} without {END}")
    return regions


TODO_LINE = "# TODO({task}): write {function}() as its docstring describes."
RAISE_MESSAGE = "{task}: {function}() is not implemented yet"


def stub_source(source: str, filename: str, lang: str = "en") -> str:
    """The learner's version of one solution module, its statement in `lang` (English by default)."""
    task = filename[:4]
    lines = source.splitlines()
    out: list[str] = []
    cursor = 0
    for begin, end, function in solution_regions(source, filename):
        out.extend(lines[cursor:begin])
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        out.append(indent + TODO_LINE.format(task=task, function=function))
        out.append(f"{indent}raise NotImplementedError({json.dumps(RAISE_MESSAGE.format(task=task, function=function))})")
        cursor = end + 1
    out.extend(lines[cursor:])
    return localize_stub("\n".join(out) + "\n", filename, lang)


_TODO = re.compile(r"^(?P<indent>\s*)# TODO\((?P<task>ex\d\d)\): write (?P<function>\w+)\(\) as its docstring describes\.$")
_RAISE = re.compile(r'^(?P<indent>\s*)raise NotImplementedError\("(?P<task>ex\d\d): (?P<function>\w+)\(\) is not implemented yet"\)$')


def localize_stub(stub: str, filename: str, lang: str) -> str:
    """An English stub (generated, or a student kit's recorded starter) with its statement — the docstrings,
    paragraph by paragraph through the catalog — and its TODO lines in `lang`."""
    from grader import i18n

    if lang == i18n.DEFAULT:
        return stub
    from grader.i18n.particles import format_template
    from grader.i18n.statements import translate_source

    todo, message = i18n.gettext(TODO_LINE, lang), i18n.gettext(RAISE_MESSAGE, lang)
    lines = []
    for line in stub.split("\n"):
        found = _TODO.match(line) or _RAISE.match(line)
        if found is not None:
            values = {"task": found["task"], "function": found["function"]}
            if found.re is _TODO:
                line = found["indent"] + format_template(todo, values)
            else:
                said = json.dumps(format_template(message, values), ensure_ascii=False)
                line = f"{found['indent']}raise NotImplementedError({said})"
        lines.append(line)
    return translate_source("\n".join(lines), i18n.catalog(lang), filename)


def solution_bodies(source: str, filename: str) -> list[str]:
    """The text of each solution region (for leak searches)."""
    lines = source.splitlines()
    return ["\n".join(lines[begin + 1:end]) for begin, end, _ in solution_regions(source, filename)]


def solution_files(solutions_dir: Path) -> list[Path]:
    return sorted(p for p in solutions_dir.iterdir() if _SOLUTION_FILE.match(p.name))


def _pairs(solutions: Path | Iterable[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """(solution file, stub name): every solution of a folder, or the pairs given."""
    if isinstance(solutions, Path):
        return [(path, path.name) for path in solution_files(solutions)]
    return list(solutions)


def generate(solutions: Path | Iterable[tuple[Path, str]], exercises_dir: Path) -> list[Path]:
    """Write every stub; return the files that changed."""
    exercises_dir.mkdir(parents=True, exist_ok=True)
    changed = []
    for solution, name in _pairs(solutions):
        target = exercises_dir / name
        text = stub_source(solution.read_text(encoding="utf-8"), name)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    return changed


def out_of_sync(solutions: Path | Iterable[tuple[Path, str]], exercises_dir: Path) -> list[str]:
    """Names of stubs that are missing or differ from what `generate` would write."""
    stale = []
    for solution, name in _pairs(solutions):
        target = exercises_dir / name
        expected = stub_source(solution.read_text(encoding="utf-8"), name)
        if not target.exists() or target.read_text(encoding="utf-8") != expected:
            stale.append(name)
    return stale
