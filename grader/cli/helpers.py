"""What the `grade` commands share, below all of them: usage errors, the catalog, exercise and folder selection."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from grader import i18n
from grader.catalog import kit, metadata
from grader.catalog.defaults import DEFAULT_SEED  # noqa: F401 - the commands' --seed default
from grader.i18n import tr


def usage_error(message: str) -> NoReturn:
    """One line on stderr, exit status 2 (grade-cli.md)."""
    click.echo(f"grade: {i18n.localize(message)}", err=True)
    sys.exit(2)


def load_catalog() -> metadata.Catalog:
    """The exercise catalog, or a usage error naming the metadata file and its problem."""
    try:
        return metadata.load()
    except metadata.MetadataError as exc:
        course = metadata.course_file()
        usage_error(tr("invalid exercise metadata in {file}: {problem}",
                       file=course.name if course is not None else "grader/curriculum", problem=str(exc)))


def select(names: tuple[str, ...]) -> list[metadata.Exercise]:
    """The exercises NAMES select (every one when empty), or a usage error with a did-you-mean."""
    catalog = load_catalog()
    try:
        return metadata.resolve(catalog, names)
    except KeyError as exc:
        from grader.learner.names import unknown_exercise_message

        usage_error(unknown_exercise_message(exc))


def learner_folder(directory: Path | None) -> Path:
    """`grade run --dir`: the folder to grade (the folder itself or its exercises/), or a one-line usage error."""
    from grader.instructor.locate import NoModules, resolve_dir

    if directory is None or not directory.is_dir():
        folder = kit.default_exercises_dir() if directory is None else directory
        if not folder.is_dir():
            usage_error(tr("no such folder: {folder}", folder=str(folder)))
        return folder
    try:
        return resolve_dir(directory)
    except NoModules as exc:
        usage_error(exc.args[0])  # a translatable message


def contained_copy(directory: Path) -> Path:
    """`grade run --dir`: the modules of `directory` copied, through links that stay inside it only, to a private folder.

    The folder graded with --dir may be someone else's: a module or an `exercises/` that is a link
    leading out of it (to the kit's solutions, to a classmate) is not read, and stderr says so; the
    worker then reads the copy, so it grades the very bytes that were checked.
    """
    import atexit
    import shutil
    import tempfile

    from grader.instructor import staging
    from grader.instructor.contained import ContainedTree, Escape
    from grader.instructor.locate import module_names

    target = Path(tempfile.mkdtemp(prefix="grade-run-"))
    atexit.register(shutil.rmtree, target, True)
    try:
        own = Path(directory).resolve().is_relative_to(kit.KIT_ROOT.resolve())  # the kit's own solutions/, exercises/
        with ContainedTree(directory, "the folder", kit_links_refused=not own) as tree:
            found = staging.find(tree, module_names(metadata.load()), [], wrappers=False)
            problems = found.refused + staging.copy_modules(tree, found, target)
    except Escape as exc:
        usage_error(f"{directory}: {exc}")
    except OSError as exc:
        usage_error(f"{directory}: the folder could not be read ({type(exc).__name__})")
    for problem in dict.fromkeys(problems):
        click.echo(f"grade: not graded: {problem}", err=True)
    return target
