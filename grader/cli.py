"""The `grade` command: thin click commands over the runner, metadata and renderers."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from grader import i18n, kit, metadata
from grader.i18n import tr
from grader.i18n.cli import LocalizedGroup, lang_option

DEFAULT_SEED = 20261123  # same as grader.runner.DEFAULT_SEED; kept here so `grade list` never imports torch


def usage_error(message: str) -> None:
    """One line on stderr, exit status 2 (grade-cli.md)."""
    click.echo(f"grade: {i18n.localize(message)}", err=True)
    sys.exit(2)


def _catalog() -> metadata.Catalog:
    try:
        return metadata.load()
    except metadata.MetadataError as exc:
        usage_error(tr("invalid exercise metadata in {file}: {problem}", file=metadata.METADATA_FILE.name, problem=str(exc)))


def _select(names: tuple[str, ...]) -> list[metadata.Exercise]:
    catalog = _catalog()
    try:
        return metadata.resolve(catalog, names)
    except KeyError as exc:
        from grader.learner.names import unknown_exercise_message

        usage_error(unknown_exercise_message(exc))  # with a did-you-mean


class KitGroup(LocalizedGroup):
    """A click group whose usage errors are one line on stderr with exit status 2 (grade-cli.md)."""

    def main(self, args=None, prog_name=None, **extra):
        extra.pop("standalone_mode", None)
        i18n.set_language(i18n.language_from_args(sys.argv[1:] if args is None else args))
        try:
            return super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help())
            sys.exit(0)
        except click.ClickException as exc:
            usage_error(" ".join(exc.format_message().split()))
        except click.Abort:
            click.echo("grade: " + i18n.localize(tr("interrupted")), err=True)
            sys.exit(1)


@click.group(cls=KitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@lang_option
def main() -> None:
    """Auto-graded PyTorch exercises: edit exercises/*.py, then run `grade run`."""


@main.command()
@click.argument("exercise", nargs=-1)
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None,
              help="Folder with the exercise modules (default: exercises/).")
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON report.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed for randomised checks.")
@click.option("-v", "--verbose", is_flag=True, help="List passed checks too.")
@click.option("--plot", is_flag=True, help="Draw your training run beside the reference's (terminal and PNG).")
@lang_option
def run(exercise: tuple[str, ...], directory: Path | None, as_json: bool, seed: int, verbose: bool,
        plot: bool = False) -> None:
    """Grade EXERCISE(s) (ex02_cost, ex02, 2 or cost); all of them by default."""
    selected = _select(exercise)
    folder = learner_folder(directory)  # the folder, or the exercises/ of a repository given as --dir
    graded = folder if directory is None else contained_copy(directory)  # nothing read through links out
    from grader.sandbox.client import SandboxUnavailable, Zygote

    from grader.learner.interrupt import stop_on_ctrl_c

    ctrl_c = stop_on_ctrl_c()  # Ctrl-C stops at once (exit 130), even while torch imports or pytest runs
    zygote = ctrl_c.watch(Zygote.start())  # before our own torch import, so the two overlap
    try:
        from grader import startup

        startup.import_torch()
        from grader.render import render_report
        from grader.runner import run as run_checks
        from grader.oracle_select import default_oracle

        oracle, hidden_included = default_oracle()
        report = run_checks(selected, graded, zygote=zygote, seed=seed, oracle=oracle,
                            hidden_included=hidden_included)
        if plot:
            from grader.learner import plot as curves

            runs = curves.collect(selected, graded, zygote, oracle)  # learner's run in a worker, reference via the oracle
    except SandboxUnavailable as exc:
        click.echo(f"grade: {i18n.localize(exc.args[0] if exc.args else str(exc))}", err=True)
        sys.exit(1)
    finally:
        zygote.close()
        ctrl_c.release()
    report = i18n.localize_report(report)  # titles, descriptions, messages and hints in the chosen language
    from grader.learner import firstday, progress

    progress.record(report, folder)  # for `grade progress` (the kit's own exercises/ only)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for line in filter(None, [firstday.folder_note(directory, folder)]):
            click.echo(line)  # which folder was graded, when it is not the kit's exercises/
        click.echo(render_report(report, colour=sys.stdout.isatty(), verbose=verbose, lang=i18n.language()))
    if plot:
        echo = lambda line: click.echo(line, err=as_json)  # noqa: E731 - --json keeps stdout to the report
        for line in curves.not_training(selected):
            echo(line)
        curves.show(runs, folder, echo, colour=sys.stdout.isatty(), terminal=not as_json)
    sys.exit(0 if report.passed else 1)


@main.command("list")
@lang_option
def list_exercises() -> None:
    """Every exercise in order, with its title and points."""
    for exercise in _catalog().exercises:
        click.echo(f"{exercise.id:<26} " + i18n.localize(tr("{points:>4g} pts", points=exercise.points))
                   + f"  {i18n.localize(exercise.title)}")


@main.command()
@click.argument("exercise")
@click.option("--all", "show_all", is_flag=True, help="Every hint at once, not just the next one.")
@lang_option
def hint(exercise: str, show_all: bool) -> None:
    """The next hint of one exercise each time you ask, from gentle to specific."""
    from grader.learner.hints import reveal

    for line in reveal(i18n.localize_exercise(_select((exercise,))[0]), show_all=show_all):
        click.echo(line)


@main.command()
@click.option("--check", "check_only", is_flag=True, help="Only report stubs that are out of date (exit 1).")
def stubs(check_only: bool) -> None:
    """Regenerate exercises/ from solutions/ (instructors)."""
    from grader import stubs as generator

    exercises_dir = kit.KIT_ROOT / "exercises"
    if check_only:
        stale = generator.out_of_sync(kit.SOLUTIONS_DIR, exercises_dir)
        for name in stale:
            click.echo(f"out of date: exercises/{name}")
        sys.exit(1 if stale else 0)
    for path in generator.generate(kit.SOLUTIONS_DIR, exercises_dir):
        click.echo(f"wrote {path.relative_to(kit.KIT_ROOT)}")


@main.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUT if it exists and is not empty.")
def release(out: Path, force: bool) -> None:
    """Write a student kit to OUT: stubs, public checks, recorded references, no solutions (instructors)."""
    from grader.release import ReleaseError, build

    try:
        summary = build(out, force=force)
    except ReleaseError as exc:
        click.echo(f"grade: {exc}", err=True)
        sys.exit(exc.status)
    click.echo(f"wrote the student kit to {summary.out}: {summary.exercises} exercises, "
               f"{summary.public_checks} public checks ({summary.hidden_removed} hidden checks left out), "
               f"{summary.answers} recorded reference answers")
    for exercise_id in summary.without_checks:
        click.echo(f"note: {exercise_id} has no checks yet; its stub ships without them")


@main.group("nbgrader")
def nbgrader_group() -> None:
    """Build an nbgrader course graded by the kit's sandboxed checks (instructors)."""


@nbgrader_group.command("build")
@click.argument("course_dir", type=click.Path(path_type=Path))
@click.argument("exercise", nargs=-1)
@click.option("--course-id", default="torch-exercise-kit", show_default=True, help="nbgrader's course id.")
@click.option("--timeout", type=click.IntRange(min=5), default=60, show_default=True,
              help="Seconds a notebook cell may run at autograde before nbgrader interrupts it.")
@click.option("--force", is_flag=True, help="Overwrite the config and source notebooks written by an earlier build.")
def nbgrader_build(course_dir: Path, exercise: tuple[str, ...], course_id: str, timeout: int, force: bool) -> None:
    """Write nbgrader_config.py and source/<exercise>/<exercise>.ipynb for EXERCISE(s) (all by default)."""
    from grader.instructor.nbgrader_course import BuildError, build

    selected = [e for e in _select(exercise) if exercise or kit.check_file(e.id).exists()]
    try:
        written = build(course_dir, selected, course_id=course_id, timeout=timeout, force=force)
    except BuildError as exc:
        usage_error(str(exc))
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {course_dir} && nbgrader generate_assignment {selected[0].id}")


@main.command(hidden=True)
@click.option("--write", is_flag=True, help="Record the measurements and the derived limits in grader/exercises.toml.")
@click.option("--repeat", type=click.IntRange(1, 20), default=3, show_default=True, help="Gradings to take the median of.")
@click.argument("exercises", nargs=-1)
def budgets(write: bool, repeat: int, exercises: tuple[str, ...]) -> None:
    """Measure the reference's CPU time per exercise and derive CPU-time budgets from it (kit maintainers)."""
    from grader.instructor import budgets as budget_tool

    if not (kit.SOLUTIONS_DIR / "__init__.py").exists():
        usage_error("`grade budgets` needs the reference solutions (the full kit, not a student release)")
    chosen = _select(exercises)
    measured = budget_tool.measure(chosen, repeat)
    click.echo(f"{'exercise':<26} {'ref CPU s':>9} {'longest call':>12} {'budget':>7} {'call':>6}")
    for exercise in chosen:
        reference, call = measured[exercise.id]
        budget, call_timeout = budget_tool.limits(reference, call)
        click.echo(f"{exercise.id:<26} {reference:>9.3f} {call:>12.3f} {budget:>7g} {call_timeout:>6g}")
    if write:
        budget_tool.update_file(metadata.METADATA_FILE, measured)
        click.echo(f"written to {metadata.METADATA_FILE.name} ({budget_tool.MULTIPLE}x the reference's CPU time)")


from grader.instructor.commands import contained_copy, learner_folder, register  # noqa: E402 - after main exists

register(main)  # grade batch, grade gradescope, grade prairielearn

from grader.learner.commands import register as register_learner  # noqa: E402

register_learner(main)  # grade progress, grade reset, grade watch; a student kit hides instructor commands


def entry() -> None:
    """The console script: `main`, then exit without the interpreter's slow teardown of torch."""
    code: int | str | None = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
