"""Small things a new learner meets on the first day: which folder was graded."""

from __future__ import annotations

from pathlib import Path

TEXT = {
    "folder": "Graded the modules in {folder} (not this kit's exercises/ folder).",
}


def folder_note(directory: Path | None, folder: Path) -> str | None:
    """A line naming the graded folder as the learner typed it, when it is not the kit's own exercises/."""
    from grader.catalog import kit
    from grader.learner.text import tr

    if directory is None:
        return None
    try:
        if Path(folder).resolve() == kit.default_exercises_dir().resolve():
            return None
    except OSError:
        pass
    shown = Path(directory)
    if Path(folder).resolve() != shown.resolve():
        shown = shown / Path(folder).name  # a repository given as --dir: its exercises/
    return tr(TEXT["folder"], folder=str(shown))
