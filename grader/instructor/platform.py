"""What the Gradescope and PrairieLearn entry points share: the bundle's settings, and grading one submission.

A bundle holds the instructor kit in `kit/` (grader, checks, solutions), a `kit_bundle.json`
with the teacher's choices, and the platform's own entry files. Inside the platform's container
the entry point grades the submitted files exactly as `grade run --dir` does, in the kit's
confined workers, which cannot read the kit's answers.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.catalog import metadata

BUNDLE_FILE = "kit_bundle.json"
BUNDLE_FORMAT = "kit-bundle/1"


@dataclass
class Settings:
    exercises: list[str]
    seed: int
    allow_unconfined: bool = False
    hidden_visibility: str = "after_published"  # Gradescope only

    @classmethod
    def load(cls, path: Path) -> "Settings":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"{path.name} is not a kit bundle's settings ({BUNDLE_FORMAT})")
        return cls(list(data["exercises"]), int(data["seed"]), bool(data.get("allow_unconfined", False)),
                   str(data.get("hidden_visibility", "after_published")))

    def to_json(self) -> dict:
        return {"format": BUNDLE_FORMAT, "exercises": self.exercises, "seed": self.seed,
                "allow_unconfined": self.allow_unconfined, "hidden_visibility": self.hidden_visibility}


@dataclass
class Graded:
    """One submission's outcome: the report (None when nothing could be graded) and what to tell the learner."""

    report: Any  # grader.reporting.report.Report
    text: str
    problem: str | None = None  # the submission held none of the files
    refused: str | None = None  # the container cannot confine learner code


def stage(submission: Path, names: list[str], target: Path) -> tuple[list[str], list[str], list[str]]:
    """Copy the learner's modules found at the submission root or in `exercises/` to `target`.

    Returns (found, missing, refused) file names and reasons: read through a `ContainedTree`, so a
    symbolic link that leads out of the submission is refused, and the copy holds the bytes checked.
    """
    from grader.instructor import staging
    from grader.instructor.contained import ContainedTree, Escape

    target.mkdir(parents=True, exist_ok=True)
    try:
        with ContainedTree(submission, "your submission") as tree:
            found = staging.find(tree, names, [], wrappers=False)
            refused = found.refused + staging.copy_modules(tree, found, target)
    except (Escape, OSError) as exc:
        return [], list(names), [str(exc) if isinstance(exc, Escape) else "your submission could not be read"]
    copied = [name for name in names if (target / name).is_file()]
    return copied, [name for name in names if name not in copied], list(dict.fromkeys(refused))


def grade_submission(submission: Path, settings: Settings) -> Graded:
    """Grade the submitted files with the kit's hidden checks and reference, in confined workers."""
    from grader.grading.orchestrate import Grader

    grader = Grader()  # the zygote first, so its warm-up overlaps our torch import
    work = Path(tempfile.mkdtemp(prefix="kit-submission-"))
    try:
        grader.prepare()
        from grader.instructor.batch import missing_key_layers, refusal
        from grader.reporting.render import render_report

        catalog = metadata.load()
        selected = metadata.resolve(catalog, settings.exercises)
        names = [exercise.filename for exercise in selected]
        found, missing, refused = stage(submission, names, work / "exercises")
        layers = grader.zygote.layers()
        if missing_key_layers(layers) and not settings.allow_unconfined:
            return Graded(None, "", refused=refusal(layers).replace(" or pass --allow-unconfined to grade anyway", ""))
        report = grader.grade(selected, work / "exercises", seed=settings.seed)
        text = render_report(report, colour=False)
        problem = None
        if not found:
            problem = (f"None of the expected files ({', '.join(names)}) is in your submission, "
                       "at its top level or in an exercises/ folder.")
        elif missing:
            text = f"Missing from your submission: {', '.join(missing)}.\n\n{text}"
        if refused:
            text = "".join(f"Not graded (it scores nothing): {reason}.\n" for reason in refused) + "\n" + text
            problem = problem and f"{problem} Not graded: {'; '.join(refused)}."
        return Graded(report, text, problem)
    finally:
        grader.close()
        shutil.rmtree(work, ignore_errors=True)


def check_lines(exercise: Any, check: Any) -> str:
    """A check's feedback: its message and hint (already safe for hidden checks)."""
    lines = []
    if exercise.message and check.status in ("error", "timeout", "skipped") and exercise.status in ("error", "timeout"):
        lines.append(exercise.message)
    elif check.message:
        lines.append(check.message)
    if check.hint:
        lines.append(f"hint: {check.hint}")
    return "\n".join(lines)
