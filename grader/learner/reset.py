"""`grade reset EXERCISE`: put the untouched stub back, keeping the learner's file as a backup beside it."""

from __future__ import annotations

import os
from pathlib import Path

from grader.catalog.metadata import Exercise

TEXT = {
    "confirm": "Replace {file} with the untouched exercise? Your version is kept as {backup}.",
    "done": "{file} is the untouched exercise again; your version is in {backup}.",
    "same": "{file} is already the untouched exercise: nothing to reset.",
    "no_starter": "the untouched version of {file} is not part of this kit",
}


class ResetError(Exception):
    """The stub can't be restored (no starter in this kit)."""


def pristine(exercise: Exercise) -> str:
    """The stub as the kit ships it: generated from the solution, or the student kit's recorded starter."""
    from grader.catalog import kit, stubs
    from grader.learner.studentkit import STARTERS

    solution = exercise.solution_file
    if solution.is_file():
        return stubs.stub_source(solution.read_text(encoding="utf-8"), exercise.filename)
    starter = kit.GRADER_DIR / STARTERS / exercise.filename
    if starter.is_file():
        return starter.read_text(encoding="utf-8")
    raise ResetError(TEXT["no_starter"].format(file=exercise.filename))


def backup_path(target: Path) -> Path:
    """`ex02_cost.py` → `ex02_cost.backup.py`, then `.backup-2.py` ... never overwriting an earlier backup.

    The backup keeps a `.py` suffix (the learner can open it) but a name no grader loads.
    """
    candidate = target.with_name(f"{target.stem}.backup.py")
    number = 2
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}.backup-{number}.py")
        number += 1
    return candidate


def reset(exercise: Exercise, folder: Path) -> tuple[Path, Path | None]:
    """Restore the stub in `folder`; (the file, its backup or None when nothing had changed)."""
    target = Path(folder) / exercise.filename
    stub = pristine(exercise)
    backup = None
    if target.exists():
        if target.read_text(encoding="utf-8", errors="replace") == stub:
            return target, None
        backup = backup_path(target)
        os.replace(target, backup)  # the learner's file, byte for byte
    temporary = target.with_name(f".{target.name}.reset")
    temporary.write_text(stub, encoding="utf-8")
    os.replace(temporary, target)
    return target, backup
