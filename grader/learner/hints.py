"""`grade hint EXERCISE`: one more tier each time it is asked, from gentle to specific."""

from __future__ import annotations

from pathlib import Path

from grader.learner.text import tr
from grader.catalog.metadata import Exercise

# learner-facing text of this module, in one place
TEXT = {
    "head": "{id}: {title}",
    "tier": "  {number}. {text}",
    "more": "({left} more hint{s}: run `grade hint {short}` again, or `grade hint {short} --all`)",
    "last": "(that was the last hint for {id})",
}


def _t(key: str, **values) -> str:
    return tr(TEXT[key], **values)


def reveal(exercise: Exercise, show_all: bool = False, exercises_dir: Path | None = None) -> list[str]:
    """The lines to print; unlocks the next tier (or all of them) in the state file."""
    from grader.learner.state import State

    state = State(exercises_dir)
    total = len(exercise.hints)
    shown = total if show_all else min(state.hints_shown(exercise.id) + 1, total)
    if shown > state.hints_shown(exercise.id):
        state.set_hints_shown(exercise.id, shown)
        state.save()
    lines = [_t("head", id=exercise.id, title=exercise.title)]
    lines += [_t("tier", number=number, text=text) for number, text in enumerate(exercise.hints[:shown], start=1)]
    left = total - shown
    if left:
        lines.append(_t("more", left=left, s="s" if left != 1 else "", short=exercise.id[:4]))
    else:
        lines.append(_t("last", id=exercise.id))
    return lines
