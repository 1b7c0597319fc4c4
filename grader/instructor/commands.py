"""Instructor commands: `grade batch`, `grade gradescope`, `grade prairielearn` (thin: the work is in their modules)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli.helpers import DEFAULT_SEED, select, usage_error


@click.command("batch")
@click.argument("submissions", type=click.Path(path_type=Path))
@click.argument("exercise", nargs=-1)
@click.option("--out", type=click.Path(path_type=Path), default=Path("grades"), show_default=True,
              help="Folder for grades.csv, summary.md/.json, reports/ and feedback/.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Grading processes (default: one per core).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed for randomised checks.")
@click.option("--allow-unconfined", is_flag=True,
              help="Grade even where learner code can't be confined (Landlock plus a PID namespace or own uid).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.option("--pin-cores/--no-pin-cores", default=True, show_default=True,
              help="Keep each grading process on its own core when there is exactly one per core.")
def batch(submissions: Path, exercise: tuple[str, ...], out: Path, jobs: int | None, seed: int,
          allow_unconfined: bool, progress: bool | None, pin_cores: bool) -> None:
    """Grade a class: one folder or .zip per student in SUBMISSIONS (or nbgrader's submitted/)."""
    from grader.instructor.batch import BatchError, Options, default_jobs, run_batch

    selected = select(exercise)
    if not submissions.is_dir():
        usage_error(f"no such folder: {submissions}")
    options = Options(submissions, out, selected, jobs or default_jobs(), seed, allow_unconfined, progress, pin_cores)
    try:
        outcome = run_batch(options)
    except BatchError as exc:
        click.echo(f"grade: {exc}", err=True)
        sys.exit(exc.status)
    from grader.reporting.safetext import plain

    for skipped in outcome.skipped:
        click.echo(f"not a submission: {plain(skipped.name)} ({plain(skipped.reason)})")
    for row in outcome.rows:
        if row.error:
            click.echo(f"not graded: {plain(row.entry.student)} (a problem in the grader: {plain(row.error)})")
        elif row.entry.problem:
            click.echo(f"graded as zero: {plain(row.entry.student)} ({plain(row.entry.problem)})")
        elif row.status != "graded":
            click.echo(f"{row.status}: {plain(row.entry.student)} ({plain(row.entry.reason)})")
    rows = outcome.rows
    click.echo(f"{len(rows)} students: {outcome.graded} graded now, {outcome.from_cache} unchanged since the last run "
               f"(from the cache), {len(outcome.grader_errors)} not graded; {outcome.seconds:.1f} s")
    click.echo(f"run {outcome.run_id}: wrote {out}/grades.csv, summary.md, summary.json, reports/, feedback/"
               + ("" if not any(p.suffix == ".png" for p in outcome.written) else ", scores.png, mistakes.png"))
    if outcome.not_graded:
        count = len(outcome.not_graded)
        click.echo(f"{count} {'entry needs' if count == 1 else 'entries need'} a look (status unreadable, refused, "
                   "conflict or grader-error in grades.csv): exit status 1")
    sys.exit(1 if outcome.not_graded else 0)


@click.command("gradescope")
@click.argument("out", type=click.Path(path_type=Path))
@click.argument("exercise", nargs=-1)
@click.option("--hidden", "hidden_visibility", type=click.Choice(["after_published", "hidden", "after_due_date"]),
              default="after_published", show_default=True, help="When students see the hidden checks' results.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed for randomised checks.")
@click.option("--allow-unconfined", is_flag=True, help="Grade even where the container can't confine learner code.")
def gradescope(out: Path, exercise: tuple[str, ...], hidden_visibility: str, seed: int, allow_unconfined: bool) -> None:
    """Write a Gradescope autograder zip for EXERCISE(s) (all by default)."""
    from grader.instructor.bundle import BundleError
    from grader.instructor.gradescope import build

    selected = select(exercise)
    try:
        path = build(out, [e.id for e in selected], seed=seed, hidden_visibility=hidden_visibility,
                     allow_unconfined=allow_unconfined)
    except BundleError as exc:
        usage_error(str(exc))
    click.echo(f"wrote {path}: a Gradescope autograder for {len(selected)} exercise(s) "
               f"({', '.join(e.id for e in selected)}); upload it as the assignment's autograder (zip)")


@click.command("prairielearn")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.argument("exercise", nargs=-1)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed for randomised checks.")
@click.option("--allow-unconfined", is_flag=True, help="Grade even where the container can't confine learner code.")
@click.option("--force", is_flag=True, help="Replace OUT_DIR if it exists and is not empty.")
def prairielearn(out_dir: Path, exercise: tuple[str, ...], seed: int, allow_unconfined: bool, force: bool) -> None:
    """Write an externally graded PrairieLearn question for EXERCISE(s) (all by default)."""
    from grader.instructor.bundle import BundleError
    from grader.instructor.prairielearn import build

    selected = select(exercise)
    try:
        path = build(out_dir, [e.id for e in selected], seed=seed, allow_unconfined=allow_unconfined, force=force)
    except BundleError as exc:
        usage_error(str(exc))
    click.echo(f"wrote {path}: info.json, question.html, tests/ (entry point and kit), Dockerfile (grader image); "
               "copy the folder into your course's questions/ and build the image")


def register(group: click.Group) -> None:
    for command in (batch, gradescope, prairielearn):
        group.add_command(command)
