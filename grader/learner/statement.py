"""`grade show EXERCISE`: the exercise's statement, as its untouched stub carries it, in the learner's language."""

from __future__ import annotations

from typing import Any

from grader.learner.text import tr

TEXT = {
    "head": "{id}: {title} ({points} points)",
    "where": "Your code goes in exercises/{file}, where each TODO({task}) is; `grade run {task}` checks it.",
}


def render(exercise: Any, stub: str) -> list[str]:
    """The lines to print: a heading, the statement (module text, then each function), where to write."""
    from grader import i18n
    from grader.i18n.statements import statement_text

    head = tr(TEXT["head"], id=exercise.id, title=i18n.localize(exercise.title), points=f"{exercise.points:g}")
    lines = [head, "=" * min(len(head) * 2, 80), ""]
    lines += statement_text(stub, exercise.filename).splitlines()
    lines += ["", tr(TEXT["where"], file=exercise.filename, task=exercise.id[:4])]
    return lines
