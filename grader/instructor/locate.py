"""Find a learner's exercise modules in a folder: the folder itself, or the `exercises/` inside a repository.

Used by `grade run --dir` and by every entry of `grade batch`. Messages name folders by what
they are, never by an absolute path of the grading machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.catalog import metadata
from grader.i18n import tr


class NoModules(LookupError):
    """None of the kit's module names is in the folder or in its `exercises/` folder."""


@dataclass(frozen=True)
class Located:
    folder: Path
    where: str  # "the folder" or "its exercises/ folder"
    found: tuple[str, ...]  # file names of the kit's modules present


def module_names(catalog: metadata.Catalog | None = None) -> list[str]:
    """`ex01_hypothesis.py`, … in order."""
    return [exercise.filename for exercise in (catalog or metadata.load()).exercises]


def present(folder: Path, names: list[str]) -> tuple[str, ...]:
    """The names of `names` that are regular files in `folder` (no symlinks followed out of it)."""
    try:
        return tuple(name for name in names if (folder / name).is_file() and not (folder / name).is_symlink())
    except OSError:
        return ()


def looked_for(names: list[str]) -> str:
    """`ex01_hypothesis.py, …, ex11_optimizers.py` (the first and last of a long list)."""
    return ", ".join(names) if len(names) <= 3 else f"{names[0]}, {names[1]}, … {names[-1]}"


def locate(folder: Path, catalog: metadata.Catalog | None = None) -> Located:
    """The folder holding the learner's modules: `folder` or `folder/exercises`; NoModules says what was looked for."""
    folder = Path(folder)
    names = module_names(catalog)
    found = present(folder, names)
    if found:
        return Located(folder, "the folder", found)
    inner = folder / "exercises"
    found = present(inner, names) if inner.is_dir() else ()
    if found:
        return Located(inner, "its exercises/ folder", found)
    raise NoModules(tr("no exercise modules ({names}) in the folder or in an exercises/ folder inside it",
                       names=looked_for(names)))


def resolve_dir(directory: Path) -> Path:
    """`grade run --dir`: the folder to grade, or NoModules with what was looked for (a one-line message)."""
    try:
        return locate(directory).folder
    except NoModules as exc:
        raise NoModules(tr("{folder}: {problem}", folder=str(directory), problem=exc.args[0])) from None
