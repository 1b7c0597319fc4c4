"""The shape of the code: imports point one way (no circle), the rooms keep their places, constants live once."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from grader.catalog import kit

ROOMS = ("cli", "authoring", "catalog", "curriculum", "grading", "reporting", "sandbox", "i18n", "learner", "instructor")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(kit.GRADER_DIR.rglob("*.py")):
        parts = path.relative_to(kit.KIT_ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the grader modules it imports anywhere in its body (lazy imports in functions too)."""
    modules = _modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            edges[name].update(t for t in targets if t in modules and t != name)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in list(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_import_graph_has_no_circle():
    assert circles(import_graph()) == []


def test_the_circle_finder_sees_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_only_the_console_entry_points_import_the_command_group():
    importers = {name for name, targets in import_graph().items() if "grader.cli.group" in targets}
    assert importers <= {"grader.__main__", "grader.cli", "grader.i18n.update"}, importers


def test_the_grader_is_organised_in_rooms():
    flat = sorted(p.name for p in kit.GRADER_DIR.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert flat == [], f"modules outside a room: {flat}"
    for room in ROOMS:
        assert (kit.GRADER_DIR / room / "__init__.py").is_file(), room


def test_the_default_seed_is_defined_once():
    defined = [path.relative_to(kit.KIT_ROOT).as_posix() for path in kit.GRADER_DIR.rglob("*.py")
               if re.search(r"(?m)^\s*DEFAULT_SEED\s*=", path.read_text(encoding="utf-8"))]
    assert defined == ["grader/catalog/defaults.py"]
