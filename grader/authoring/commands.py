"""`grade dev new NAME` and `grade dev check [EXERCISE]...`: write an exercise, prove it right (teachers)."""

from __future__ import annotations

import sys

import click

from grader.cli.helpers import select, usage_error


@click.group("dev")
def dev() -> None:
    """Write your own exercises: scaffold one, then prove it is right (teachers)."""


@dev.command("new")
@click.argument("name")
@click.option("--no-measure", is_flag=True, help="Leave the budgets unmeasured (`grade budgets --write NAME` later).")
def new(name: str, no_measure: bool) -> None:
    """Scaffold exercise NAME (exNN_words): its folder, solution and stub, passing `grade dev check` as written."""
    from grader.authoring.scaffold import ScaffoldError, create, measure_budgets
    from grader.catalog import kit

    try:
        made = create(name)
    except ScaffoldError as exc:
        usage_error(str(exc))
    for path in made.files():
        click.echo(f"wrote {path.relative_to(kit.KIT_ROOT)}")
    if not no_measure:
        reference, call = measure_budgets(made.folder)
        click.echo(f"measured the reference: {reference:.3f} s of CPU time ({call:.3f} s the longest call); "
                   f"budgets written to {name}/exercise.toml")
    from grader.catalog import metadata

    course = metadata.course_file()
    if course is not None:
        click.echo(f"note: the course in {course.name} chooses the exercises: add \"{name}\" to its `exercises`")
    click.echo(f"next: edit solutions/{name}.py and grader/curriculum/{name}/, then `grade stubs` and "
               f"`grade dev check {name}` (docs/authoring.md)")


@dev.command("check")
@click.argument("exercise", nargs=-1)
@click.option("--corpus/--no-corpus", default=True, show_default=True,
              help="Also prove the repository's tests/corpus mutants and alternatives of each exercise.")
def check(exercise: tuple[str, ...], corpus: bool) -> None:
    """Prove EXERCISE(s) right (all by default): solution, stub, mistakes, alternatives, texts, budgets, release, notebook."""
    from grader.catalog import kit

    if not kit.has_solutions():
        usage_error("`grade dev check` needs the reference solutions (the full kit, not a student release)")
    chosen = select(exercise)
    from grader.authoring.devcheck import Checker, render
    from grader.grading.orchestrate import Grader

    failed = []
    with Grader() as grader:
        checker = Checker(lambda exercises, folder: grader.grade(exercises, folder), corpus=corpus)
        for entry in chosen:
            result = checker.prove(entry)
            for line in render(result):
                click.echo(line)
            if not result.passed:
                failed.append(entry.id)
    if failed:
        click.echo(f"{len(failed)} of {len(chosen)} exercise(s) need work: {', '.join(failed)}")
        sys.exit(1)
    click.echo(f"all {len(chosen)} exercise(s) proved")


def register(group: click.Group) -> None:
    group.add_command(dev)
