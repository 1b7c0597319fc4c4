"""Find a student's modules inside their entry and copy the checked bytes into a private folder the worker reads.

The layout rules are those of `grade run --dir` and `grade batch`: the modules at the entry's
top level, or in an `exercises/` folder inside it (a repository), or nbgrader's
`<exercise>/*.ipynb`, possibly under lone wrapper folders (a zipped folder). Everything is read
through a `ContainedTree`, so a link that leaves the entry is refused and named, and the bytes
copied are those that were checked; the grader then reads only the private copy (a folder made
by `tempfile`, readable by the grading account alone), never the class folder again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.instructor.contained import ContainedTree, Escape, TooLarge, shown

MAX_MODULE_BYTES = 5 * 1024**2
MAX_NOTEBOOK_BYTES = 20 * 1024**2
MAX_WRAPPERS = 4
IGNORED = {"__MACOSX", ".git", "__pycache__", ".ipynb_checkpoints"}


@dataclass
class Found:
    """Where the modules of an entry are: `parts` (inside the entry), which ones, and what was refused."""

    parts: tuple[str, ...] = ()
    modules: list[str] = field(default_factory=list)
    notebooks: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    empty: bool = False  # the entry holds nothing at all

    @property
    def anything(self) -> bool:
        return bool(self.modules or self.notebooks)


def _modules_at(tree: ContainedTree, parts: tuple[str, ...], names: list[str], refused: list[str]) -> list[str]:
    found = []
    for name in names:
        probe = tree.probe(*parts, name)
        if probe.kind == "file":
            found.append(name)
        elif probe.reason and probe.reason not in refused:
            refused.append(probe.reason)
    return found


def _notebooks_at(tree: ContainedTree, parts: tuple[str, ...], exercise_ids: list[str],
                  refused: list[str]) -> dict[str, list[tuple[str, ...]]]:
    found = {}
    for exercise_id in exercise_ids:
        probe = tree.probe(*parts, exercise_id)
        if probe.kind == "refused":
            refused.append(probe.reason)
            continue
        if probe.kind != "dir":
            continue
        notebooks = []
        for name in tree.listdir(*parts, exercise_id):
            if not name.endswith(".ipynb"):
                continue
            inner = tree.probe(*parts, exercise_id, name)
            if inner.kind == "file":
                notebooks.append((*parts, exercise_id, name))
            elif inner.reason:
                refused.append(inner.reason)
        if notebooks:
            found[exercise_id] = notebooks
    return found


def find(tree: ContainedTree, names: list[str], exercise_ids: list[str], wrappers: bool = True) -> Found:
    """The modules (or nbgrader notebooks) of the entry, descending through lone wrapper folders."""
    parts: tuple[str, ...] = ()
    refused: list[str] = []
    for _ in range(MAX_WRAPPERS if wrappers else 1):
        modules = _modules_at(tree, parts, names, refused)
        if modules:
            return Found(parts, modules, refused=refused)
        inner = tree.probe(*parts, "exercises")
        if inner.kind == "dir":
            modules = _modules_at(tree, (*parts, "exercises"), names, refused)
            if modules:
                return Found((*parts, "exercises"), modules, refused=refused)
        elif inner.kind == "refused":
            refused.append(inner.reason)
        notebooks = _notebooks_at(tree, parts, exercise_ids, refused)
        if notebooks:
            return Found(parts, notebooks=notebooks, refused=refused)
        children = [name for name in tree.listdir(*parts) if name not in IGNORED and not name.startswith(".")]
        if not parts and not children:
            return Found(refused=refused, empty=True)
        if len(children) != 1:
            break
        probe = tree.probe(*parts, children[0])
        if probe.kind == "refused":
            refused.append(probe.reason)
            break
        if probe.kind != "dir":
            break
        parts = (*parts, children[0])
    return Found(parts, refused=refused)


def copy_modules(tree: ContainedTree, found: Found, target: Path) -> list[str]:
    """Write the checked bytes of each found module to `target`; returns the reasons for those not copied."""
    target.mkdir(parents=True, exist_ok=True)
    problems = []
    for name in found.modules:
        try:
            data = tree.read(*found.parts, name, limit=MAX_MODULE_BYTES)
        except TooLarge:
            (target / name).write_text(f"raise ImportError('{name} is larger than the grader accepts')\n")
            continue
        except Escape as exc:
            problems.append(str(exc))
            continue
        except OSError as exc:
            problems.append(f"{shown((*found.parts, name))} could not be read ({type(exc).__name__})")
            continue
        (target / name).write_bytes(data)
    problems += _copy_siblings(tree, found, target)
    return problems


def _copy_siblings(tree: ContainedTree, found: Found, target: Path) -> list[str]:
    """The learner's own other modules beside the exercises (`from helpers import ...`), checked the same way."""
    from grader.sandbox import sources

    problems, copied, total = [], 0, 0
    for name in sorted(tree.listdir(*found.parts)):
        stem, dot, extension = name.rpartition(".")
        if not dot or extension != "py" or name in found.modules or not stem.isidentifier() or stem.startswith("__"):
            continue
        if copied >= sources.MAX_SIBLINGS:
            break
        try:
            data = tree.read(*found.parts, name, limit=sources.MAX_SOURCE_BYTES)
        except TooLarge:
            continue  # too large to import in the worker either: left out as the worker would leave it
        except Escape as exc:
            problems.append(str(exc))
            continue
        except OSError:
            continue
        if total + len(data) > sources.MAX_SIBLING_BYTES:
            continue
        total += len(data)
        copied += 1
        (target / name).write_bytes(data)
    return problems


def read_notebooks(tree: ContainedTree, found: Found) -> tuple[dict[str, bytes], list[str], list[str]]:
    """(bytes of each exercise's notebook, the one named like it or else the first; links refused; other problems)."""
    chosen, refused, problems = {}, [], []
    for exercise_id, paths in found.notebooks.items():
        path = next((p for p in paths if p[-1] == f"{exercise_id}.ipynb"), paths[0])
        try:
            chosen[exercise_id] = tree.read(*path, limit=MAX_NOTEBOOK_BYTES)
        except TooLarge:
            problems.append(f"{shown(path)}: the notebook is larger than {MAX_NOTEBOOK_BYTES // 1024**2} MiB")
        except Escape as exc:
            refused.append(str(exc))
        except OSError as exc:
            problems.append(f"{shown(path)} could not be read ({type(exc).__name__})")
    return chosen, refused, problems
