"""The one-line usage error for an exercise name that names no exercise (or several), with a did-you-mean."""

from __future__ import annotations

from grader.learner.text import tr

TEXT = {
    "unknown": "unknown exercise {name} (see `grade list`)",
    "did_you_mean": "unknown exercise {name}: did you mean {suggestions}? (see `grade list`)",
    "ambiguous": "{name} could mean {suggestions}: say which (see `grade list`)",
    "or": " or ",
}


def unknown_exercise_message(error: KeyError) -> str:
    name = repr(error.args[0]) if error.args else "''"
    suggestions = tuple(getattr(error, "suggestions", ()) or ())
    if not suggestions:
        return tr(TEXT["unknown"], name=name)
    joined = tr(TEXT["or"]).join(suggestions)
    key = "ambiguous" if getattr(error, "ambiguous", False) else "did_you_mean"
    return tr(TEXT[key], name=name, suggestions=joined)
