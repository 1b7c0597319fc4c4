"""Formatting the learner-facing text of grader/learner/: each module keeps its strings in one TEXT table."""

from __future__ import annotations


def tr(template: str, **values) -> str:
    """`template` through the translation layer (where it exists), then formatted."""
    from grader.i18n import gettext
    from grader.i18n.particles import format_template

    try:
        translated = gettext(template)
        return format_template(translated, values)
    except (KeyError, ValueError, IndexError):  # a broken translation must never stop `grade`
        return template.format(**values)
