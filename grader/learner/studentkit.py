"""What the student kit (`grade release`) needs beyond the stubs: the torch pin, pristine starters for
`grade reset`, the points its public checks can award, and a `grade --help` without instructor commands."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

STARTERS = "starters"  # grader/starters/exNN_*.py: the untouched stubs `grade reset` restores
# commands that need the reference solutions, the hidden checks or the mistake catalog
INSTRUCTOR_COMMANDS = ("stubs", "release", "nbgrader", "budgets", "batch", "gradescope", "prairielearn", "dev")
TEXT = {
    "instructor_only": "`grade {command}` is for instructors: it needs the full kit with the reference solutions, "
                       "and this is a student kit",
}


def is_student_kit() -> bool:
    from grader.catalog import kit

    return not kit.has_solutions()


def torch_pin() -> str:
    """`torch==X.Y.Z` for the torch this kit was built and tested with (no local build tag)."""
    from importlib import metadata

    try:
        version = metadata.version("torch")
    except metadata.PackageNotFoundError:  # pragma: no cover - the kit depends on torch
        return "torch"
    return f"torch=={version.split('+')[0]}"


def write_starters(grader_dir: Path, exercises_dir: Path) -> None:
    target = Path(grader_dir) / STARTERS
    target.mkdir(parents=True, exist_ok=True)
    for stub in sorted(Path(exercises_dir).glob("ex*.py")):
        shutil.copy(stub, target / stub.name)


def rewrite_points(curriculum_dir: Path, points: dict[str, float]) -> None:
    """Set each exercise's `points` to what the kit's checks can award (public checks in a student kit)."""
    for exercise_id, value in points.items():
        path = Path(curriculum_dir) / exercise_id / "exercise.toml"
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^points = [0-9.]+$", f"points = {value:g}", text, count=1), encoding="utf-8")


def hide_instructor_commands(group) -> None:
    """In a student kit: instructor commands leave `grade --help`; calling one is a one-line usage error."""
    import click

    if not is_student_kit():
        return
    for name in INSTRUCTOR_COMMANDS:
        if name not in group.commands:
            continue

        @click.command(name, hidden=True, add_help_option=False,
                       context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
        def refuse(command: str = name) -> None:
            from grader.cli.helpers import usage_error
            from grader.learner.text import tr

            usage_error(tr(TEXT["instructor_only"], command=command))

        group.commands[name] = refuse
