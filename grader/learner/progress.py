"""`grade progress`: which exercises pass, points so far, a progress bar and the next exercise.

`grade run` (and `grade watch`) record each graded exercise's result in the state file when
they grade the kit's own exercises/ folder; `grade progress` only reads it, so it is instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.learner.text import tr

TEXT = {
    "head": "Progress: {passed}/{total} exercises passed, {score}/{max_score} points",
    "bar": "[{bar}] {percent}%",
    "passed": "passed",
    "failed": "{score}/{max_score} points",
    "not_started": "not started",
    "not_graded": "not graded yet",
    "next": "Next: {id} — {title} (`grade run {short}`, `grade watch {short}`, `grade hint {short}`).",
    "done": "Every exercise passes. Well done!",
    "public_only": "(points of the public checks: hidden checks run when your work is graded)",
}
BAR_WIDTH = 30
MARKS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "not_started": "○", None: "·"}


def _points(value: float) -> str:
    return f"{value:g}"


def _title(exercise: Any) -> str:
    """The exercise's title in the learner's language (as `grade list` shows it)."""
    from grader import i18n

    return i18n.localize(exercise.title)


def is_default_folder(folder: Path) -> bool:
    """True for the folder `grade run` grades without --dir (the one the state file is about)."""
    from grader.catalog import kit

    try:
        return Path(folder).resolve() == kit.default_exercises_dir().resolve()
    except OSError:
        return False


def record(report: Any, folder: Path) -> None:
    """Remember each graded exercise's result (only for the kit's own exercises/)."""
    if not is_default_folder(folder):
        return
    from grader.learner.state import State

    state = State(folder)
    for exercise in report.exercises:
        state.record(exercise.id, exercise.status, float(exercise.score), float(exercise.max_score),
                     started=not exercise.not_started)
    state.save()


def next_exercise(catalog: Any, state: Any) -> Any:
    """The first exercise (in order) not recorded as passing, or None when all pass."""
    for exercise in catalog.exercises:
        if state.result(exercise.id).get("status") != "passed":
            return exercise
    return None


def render(catalog: Any, state: Any, public_only: bool = False) -> list[str]:
    """The progress lines: one per exercise, the bar, the next exercise."""
    lines: list[str] = []
    passed = score = max_score = 0.0
    for exercise in catalog.exercises:
        result = state.result(exercise.id)
        status = result.get("status")
        best = float(result.get("max_score") or exercise.points)
        max_score += best
        if status == "passed":
            passed += 1
        if status is not None:
            score += float(result.get("score") or 0.0)
        if status is None:
            word, mark = tr(TEXT["not_graded"]), MARKS[None]
        elif not result.get("started", True):
            word, mark = tr(TEXT["not_started"]), MARKS["not_started"]
        elif status == "passed":
            word, mark = tr(TEXT["passed"]), MARKS["passed"]
        else:
            word = tr(TEXT["failed"], score=_points(float(result.get("score") or 0)), max_score=_points(best))
            mark = MARKS.get(status, "✗")
        lines.append(f"{mark} {exercise.id:<26} {word}")
    total = len(catalog.exercises)
    filled = round(BAR_WIDTH * passed / total) if total else 0
    head = [tr(TEXT["head"], passed=int(passed), total=total, score=_points(round(score, 6)),
               max_score=_points(round(max_score, 6))),
            tr(TEXT["bar"], bar="█" * filled + "·" * (BAR_WIDTH - filled),
               percent=round(100 * passed / total) if total else 0)]
    if public_only:
        head.append(tr(TEXT["public_only"]))
    upcoming = next_exercise(catalog, state)
    tail = [tr(TEXT["done"])] if upcoming is None else [
        tr(TEXT["next"], id=upcoming.id, title=_title(upcoming), short=upcoming.id[:4])]
    return head + [""] + lines + [""] + tail
