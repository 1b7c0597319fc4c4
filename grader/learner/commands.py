"""The learner's commands beside `grade run`: progress, reset, watch and lang (thin click commands)."""

from __future__ import annotations

from pathlib import Path

import click

from grader import i18n
from grader.i18n.cli import LocalizedCommand, lang_option
from grader.learner.text import tr

TEXT = {
    "no_watchfiles": "`grade watch` needs the watchfiles package: pip install -e \".[learner]\"",
}


@click.command(cls=LocalizedCommand)
@lang_option
def progress() -> None:
    """Which exercises pass, points so far and the next exercise (from your last `grade run`)."""
    from grader.cli.helpers import load_catalog
    from grader.learner import progress as tracker
    from grader.learner.state import State
    from grader.learner.studentkit import is_student_kit

    for line in tracker.render(load_catalog(), State(), public_only=is_student_kit()):
        click.echo(line)


@click.command(cls=LocalizedCommand)
@click.argument("exercise")
@click.option("--yes", "-y", is_flag=True, help="Don't ask for confirmation.")
@lang_option
def reset(exercise: str, yes: bool) -> None:
    """Put EXERCISE's untouched stub back, in your language; your version is kept beside it as a backup."""
    from grader.catalog import kit
    from grader.cli.helpers import select, usage_error
    from grader.learner import reset as resetter
    from grader.learner.state import State

    chosen = select((exercise,))[0]
    folder = kit.default_exercises_dir()
    target = folder / chosen.filename
    lang = i18n.language()
    try:
        stub = resetter.pristine(chosen, lang)
    except resetter.ResetError as exc:
        usage_error(str(exc))
    current = target.read_text(encoding="utf-8", errors="replace") if target.exists() else None
    if current == stub:
        click.echo(tr(resetter.TEXT["same"], file=chosen.filename))
        return
    if current is not None and not yes and not resetter.untouched(chosen, current):
        question = tr(resetter.TEXT["confirm"], file=chosen.filename,
                      backup=resetter.backup_path(target).name)
        if not click.confirm(question, default=False):
            return
    target, backup = resetter.reset(chosen, folder, lang)
    state = State(folder)
    state.forget(chosen.id)
    state.save()
    if backup is not None:
        click.echo(tr(resetter.TEXT["done"], file=chosen.filename, backup=backup.name))
    elif current is None:
        click.echo(tr(resetter.TEXT["restored"], file=chosen.filename))
    else:
        click.echo(tr(resetter.TEXT["relanguaged"], file=chosen.filename))


@click.command(cls=LocalizedCommand)
@click.argument("exercise", required=False)
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None,
              help="Folder with the exercise modules (default: exercises/).")
@click.option("--seed", type=int, default=None, help="Seed for randomised checks.")
@lang_option
def watch(exercise: str | None, directory: Path | None, seed: int | None) -> None:
    """Re-check the exercise you are on (or EXERCISE) each time you save it; moves on when it passes."""
    import sys

    from grader.cli.helpers import DEFAULT_SEED, learner_folder, select, usage_error
    from grader.learner.watch import watch as run_watch

    chosen = select((exercise,))[0] if exercise else None
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        usage_error(tr(TEXT["no_watchfiles"]))
    folder = learner_folder(directory).resolve()
    terminal = sys.stdout.isatty()
    status = run_watch(chosen, folder, DEFAULT_SEED if seed is None else seed, echo=click.echo,
                       colour=terminal, clear=terminal)
    sys.exit(status)


@click.command("lang", cls=LocalizedCommand)
@click.argument("language", required=False, type=click.Choice([*i18n.LANGUAGES, "auto"]), metavar="[en|ko|auto]")
@lang_option
def lang(language: str | None) -> None:
    """Show the language grade speaks, or remember one for this kit: en, ko, or auto (the locale's)."""
    from grader.learner import language as chooser

    if language is None:
        click.echo(chooser.describe(i18n.chosen_option()))
        return
    for line in chooser.remember(None if language == "auto" else language):
        click.echo(line)


@click.command("show", cls=LocalizedCommand)
@click.argument("exercise")
@lang_option
def show(exercise: str) -> None:
    """Print EXERCISE's statement (what each function takes, returns and must respect) in your language."""
    from grader.cli.helpers import select as _select, usage_error
    from grader.learner import reset as resetter
    from grader.learner.statement import render

    chosen = _select((exercise,))[0]
    try:
        stub = resetter.pristine(chosen, i18n.language())
    except resetter.ResetError as exc:
        usage_error(str(exc))
    for line in render(chosen, stub):
        click.echo(line)


def register(group: click.Group) -> None:
    from grader.learner.studentkit import hide_instructor_commands

    for command in (progress, reset, watch, lang, show):
        group.add_command(command)
    hide_instructor_commands(group)
