"""Formatting the learner-facing text of grader/learner/: each module keeps its strings in one TEXT table."""

from __future__ import annotations


def tr(template: str, **values) -> str:
    """`template` through the translation layer (where it exists), then formatted."""
    try:
        from grader.i18n import gettext as translate
    except ImportError:
        translate = None
    if translate is not None:
        try:
            template = translate(template)
        except Exception:  # noqa: BLE001 - a missing translation must never stop `grade`
            pass
    return template.format(**values)
