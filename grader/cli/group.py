"""The `grade` group and its top commands: thin click commands over the runner, the catalog and the renderers."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from grader import i18n
from grader.catalog import kit, metadata
from grader.i18n import tr
from grader.cli.helpers import DEFAULT_SEED, contained_copy, learner_folder, load_catalog, select, usage_error
from grader.i18n.cli import LocalizedGroup, lang_option

class KitGroup(LocalizedGroup):
    """A click group whose usage errors are one line on stderr with exit status 2 (grade-cli.md)."""

    def main(self, args=None, prog_name=None, **extra):
        extra.pop("standalone_mode", None)
        from grader.learner.console import tolerant_streams

        tolerant_streams()  # a redirected cp949 console has no ✓: a `?`, never a UnicodeEncodeError
        i18n.use_remembered(i18n.load_remembered())  # `grade lang ko`, below --lang and GRADE_LANG
        i18n.set_language(i18n.language_from_args(sys.argv[1:] if args is None else args))
        try:
            return super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help())
            sys.exit(0)
        except click.ClickException as exc:
            from grader.i18n.cli import click_error_message

            usage_error(click_error_message(exc))  # click's own words too, in the chosen language
        except click.Abort as exc:
            click.echo("grade: " + i18n.localize(tr("interrupted")), err=True)
            # Ctrl-C as a KeyboardInterrupt (Windows, or before grading installed its handler): 130, as on SIGINT
            sys.exit(130 if isinstance(exc.__cause__, KeyboardInterrupt) else 1)


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
    selected = select(exercise)
    folder = learner_folder(directory)  # the folder, or the exercises/ of a repository given as --dir
    graded = folder if directory is None else contained_copy(directory)  # nothing read through links out
    from grader.grading.orchestrate import Grader
    from grader.learner.interrupt import stop_on_ctrl_c
    from grader.sandbox import backend
    from grader.sandbox.client import SandboxUnavailable

    ctrl_c = stop_on_ctrl_c()  # Ctrl-C stops at once (exit 130), even while torch imports or pytest runs
    grader = Grader(ctrl_c.watch(backend.start()))  # the zygote first, so its warm-up overlaps our torch import
    try:
        report = grader.grade(selected, graded, seed=seed)
        from grader.reporting.render import render_report

        if plot:
            from grader.learner import plot as curves

            runs = curves.collect(selected, graded, grader.zygote, grader.oracle)  # learner's run in a worker, reference via the oracle
    except SandboxUnavailable as exc:
        click.echo(f"grade: {i18n.localize(exc.args[0] if exc.args else str(exc))}", err=True)
        sys.exit(1)
    finally:
        grader.close()
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
    for exercise in load_catalog().exercises:
        click.echo(f"{exercise.id:<26} " + i18n.localize(tr("{points:>4g} pts", points=exercise.points))
                   + f"  {i18n.localize(exercise.title)}")


@main.command()
@click.argument("exercise")
@click.option("--all", "show_all", is_flag=True, help="Every hint at once, not just the next one.")
@lang_option
def hint(exercise: str, show_all: bool) -> None:
    """The next hint of one exercise each time you ask, from gentle to specific."""
    from grader.learner.hints import reveal

    for line in reveal(i18n.localize_exercise(select((exercise,))[0]), show_all=show_all):
        click.echo(line)


@main.command()
@click.option("--check", "check_only", is_flag=True, help="Only report stubs that are out of date (exit 1).")
def stubs(check_only: bool) -> None:
    """Regenerate exercises/ from solutions/ (instructors)."""
    from grader.catalog import stubs as generator

    exercises_dir = kit.KIT_ROOT / "exercises"
    solutions = [(path, path.name) for path in generator.solution_files(kit.SOLUTIONS_DIR)]
    solutions += [(e.solution_file, e.filename) for e in load_catalog().exercises  # a course's own folders
                  if e.solution_file.parent != kit.SOLUTIONS_DIR and e.solution_file.is_file()]
    if check_only:
        stale = generator.out_of_sync(solutions, exercises_dir)
        for name in stale:
            click.echo(f"out of date: exercises/{name}")
        sys.exit(1 if stale else 0)
    for path in generator.generate(solutions, exercises_dir):
        click.echo(f"wrote {path.relative_to(kit.KIT_ROOT)}")


@main.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUT if it exists and is not empty.")
@click.option("--kit-lang", type=click.Choice(i18n.LANGUAGES), default="en", show_default=True,
              help="Language of the kit: its exercise statements, its README and what grade speaks in it.")
def release(out: Path, force: bool, kit_lang: str = "en") -> None:
    """Write a student kit to OUT: stubs, public checks, recorded references, no solutions (instructors)."""
    from grader.instructor.release import ReleaseError, build

    try:
        summary = build(out, force=force, lang=kit_lang)
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

    selected = [e for e in select(exercise) if exercise or e.check_file.exists()]
    try:
        written = build(course_dir, selected, course_id=course_id, timeout=timeout, force=force)
    except BuildError as exc:
        usage_error(str(exc))
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {course_dir} && nbgrader generate_assignment {selected[0].id}")


@main.command()
@click.option("--write", is_flag=True, help="Record the measurements and the derived limits in each exercise's exercise.toml.")
@click.option("--repeat", type=click.IntRange(1, 20), default=3, show_default=True, help="Gradings to take the median of.")
@click.argument("exercises", nargs=-1)
def budgets(write: bool, repeat: int, exercises: tuple[str, ...]) -> None:
    """Measure the reference's CPU time per exercise and derive CPU-time budgets from it (kit maintainers)."""
    from grader.instructor import budgets as budget_tool

    if not kit.has_solutions():
        usage_error("`grade budgets` needs the reference solutions (the full kit, not a student release)")
    chosen = select(exercises)
    measured = budget_tool.measure(chosen, repeat)
    click.echo(f"{'exercise':<26} {'ref CPU s':>9} {'longest call':>12} {'budget':>7} {'call':>6}")
    for exercise in chosen:
        reference, call = measured[exercise.id]
        budget, call_timeout = budget_tool.limits(reference, call)
        click.echo(f"{exercise.id:<26} {reference:>9.3f} {call:>12.3f} {budget:>7g} {call_timeout:>6g}")
    if write:
        for path in budget_tool.update_files(chosen, measured):
            click.echo(f"written to {path.parent.name}/{path.name} ({budget_tool.MULTIPLE}x the reference's CPU time)")


from grader.instructor.commands import register  # noqa: E402 - after main exists

register(main)  # grade batch, grade gradescope, grade prairielearn

from grader.authoring.commands import register as register_authoring  # noqa: E402

register_authoring(main)  # grade dev new, grade dev check

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
