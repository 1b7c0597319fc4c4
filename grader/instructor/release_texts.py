"""Cut the texts of hidden checks out of every translation catalog a student release carries.

A translation catalog is keyed by the English text and tagged with where it lives, so a release
that removes the hidden checks' code would still ship their ids, descriptions and messages in
Korean (and English) unless the catalogs are filtered too. This works on any TOML file of the
release, one catalog for the kit or one per exercise: each table (`[x]`, `[[text]]`) is cut
when it names a hidden check (in its header, its `id`, or as an exercise-scoped bare id) or
holds a hidden check's description; a line `<hidden id> = …` is cut; an entry tagged with a
source file of the release (`id = "grader/curriculum/ex02_cost/checks.py"`) is kept only if its English
text is still a string in that file once the hidden checks are gone. Everything else is kept
byte for byte.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib  # novermin - Python 3.11+, tomli below
except ModuleNotFoundError:
    import tomli as tomllib

_HEADER = re.compile(r"^\s*\[")
_KEY_LINE = re.compile(r"^\s*(\"?)([A-Za-z0-9_.-]+)\1\s*=")


@dataclass
class Hidden:
    """The hidden checks of the instructor kit: ids per exercise, and their descriptions."""

    ids: dict[str, set[str]] = field(default_factory=dict)  # exercise id -> hidden check ids
    descriptions: set[str] = field(default_factory=set)

    def all_ids(self) -> set[str]:
        return {check for checks in self.ids.values() for check in checks}


def _is_hidden_check(node: ast.stmt) -> bool:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.name.startswith("test_"):
        return False
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
        if name == "check" and isinstance(decorator, ast.Call):
            return any(k.arg == "visibility" and isinstance(k.value, ast.Constant) and k.value.value == "hidden"
                       for k in decorator.keywords)
    return False


def hidden_checks(exercise_id: str, source: str, hidden: Hidden | None = None) -> Hidden:
    """Add the hidden checks of one check module (its instructor source) to `hidden`."""
    hidden = hidden or Hidden()
    for node in ast.parse(source).body:
        if _is_hidden_check(node):
            hidden.ids.setdefault(exercise_id, set()).add(node.name.removeprefix("test_"))
            doc = ast.get_docstring(node)
            if doc:
                hidden.descriptions.add(doc.splitlines()[0].strip())
    return hidden


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _sections(text: str) -> list[str]:
    """The file cut before each table header (headers inside multi-line strings are not headers)."""
    sections, current, quote = [], [], None
    for line in text.splitlines(keepends=True):
        if quote is None and _HEADER.match(line) and current:
            sections.append("".join(current))
            current = []
        current.append(line)
        for mark in ('"""', "'''"):
            if line.count(mark) % 2:
                quote = mark if quote is None else None if quote == mark else quote
    if current:
        sections.append("".join(current))
    return sections


class CatalogFilter:
    """Decides, table by table, what a release's TOML files may keep."""

    def __init__(self, hidden: Hidden, release_root: Path, exercise_ids: set[str]) -> None:
        self.hidden = hidden
        self.root = release_root
        self.exercise_ids = exercise_ids
        self._constants: dict[str, set[str] | None] = {}

    def _file_strings(self, relative: str) -> set[str] | None:
        """String constants of a Python file of the release (None: not such a file, so nothing to judge by)."""
        if relative not in self._constants:
            path = self.root / relative
            strings = None
            if relative.endswith(".py") and path.is_file():
                try:
                    tree = ast.parse(path.read_text(encoding="utf-8"))
                except (SyntaxError, UnicodeDecodeError):
                    tree = None
                if tree is not None:
                    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
            self._constants[relative] = strings
        return self._constants[relative]

    def _scoped_ids(self, path: Path) -> set[str]:
        """Bare hidden ids that count in this file: those of the exercise whose folder holds it, or none."""
        scoped = set()
        for part in path.relative_to(self.root).parts:
            scoped |= self.hidden.ids.get(part, set())
        return scoped

    def _qualified(self, value: str) -> bool:
        """Whether a dotted or slashed name (`ex02_cost.check.x`, `ex02_cost.checks.x`, `ex02_cost/x`) names a hidden check."""
        parts = [part.strip("\"' ") for part in re.split(r"[./]", value)]
        for index, part in enumerate(parts):
            checks = self.hidden.ids.get(part)
            if checks and any(later in checks for later in parts[index + 1:]):
                return True
        return False

    def keep(self, section: str, path: Path) -> bool:
        try:
            data = tomllib.loads(section)
        except tomllib.TOMLDecodeError:
            raise ValueError(f"{path.relative_to(self.root)}: a table could not be read on its own") from None
        header = section.lstrip().split("\n", 1)[0]
        scoped = self._scoped_ids(path)
        names = set(re.findall(r"[A-Za-z0-9_]+", header))
        if names & scoped or self._qualified(header.strip().strip("[]")):
            return False
        for table in ([data] + [t for v in data.values() for t in (v if isinstance(v, list) else [v])
                                if isinstance(t, dict)]):
            if not isinstance(table, dict):
                continue
            tag = table.get("id")
            if isinstance(tag, str) and (self._qualified(tag) or tag in scoped):
                return False
            english = table.get("en")
            if isinstance(tag, str) and isinstance(english, str):
                strings = self._file_strings(tag)
                if strings is not None and english not in strings:
                    return False  # its only use was in code the release left out
        return not any(text in self.hidden.descriptions for text in _strings(data))

    def filter_text(self, text: str, path: Path) -> tuple[str, int]:
        """`text` without the tables and key lines that belong to hidden checks, and how many were cut."""
        kept, removed = [], 0
        scoped = self._scoped_ids(path)
        for section in _sections(text):
            if _HEADER.match(section.lstrip("\n")) and not self.keep(section, path):
                removed += 1
                continue
            lines = []
            for line in section.splitlines(keepends=True):
                match = _KEY_LINE.match(line)
                if match and (match.group(2) in scoped or self._qualified(match.group(2))):
                    removed += 1
                    continue
                lines.append(line)
            kept.append("".join(lines))
        return "".join(kept), removed


def filter_release(release_root: Path, hidden: Hidden, exercise_ids: set[str]) -> int:
    """Rewrite every TOML file under `release_root` without hidden texts; returns how many tables/lines were cut."""
    judge = CatalogFilter(hidden, release_root, exercise_ids)
    removed = 0
    for path in sorted(release_root.rglob("*.toml")):
        if path.name == "pyproject.toml":
            continue
        text = path.read_text(encoding="utf-8")
        filtered, count = judge.filter_text(text, path)
        if count:
            path.write_text(filtered, encoding="utf-8")
            removed += count
    return removed
