"""The `grade` command line: the group (grader.cli.group) and the helpers its commands share (grader.cli.helpers).

`from grader.cli import main, entry` still works; the group is imported only when asked for, so the
helpers module can be imported without it.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("main", "entry"):
        from grader.cli import group

        return getattr(group, name)
    raise AttributeError(f"module 'grader.cli' has no attribute {name!r}")
