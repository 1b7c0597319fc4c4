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
            usage_error(f"no such folder: {folder}")
        return folder
    try:
        return resolve_dir(directory)
    except NoModules as exc:
        usage_error(str(exc))
