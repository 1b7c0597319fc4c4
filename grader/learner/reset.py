"""`grade reset EXERCISE`: put the untouched stub back, keeping the learner's file as a backup beside it."""

from __future__ import annotations

import os
from pathlib import Path

from grader.catalog.metadata import Exercise

TEXT = {
    "confirm": "Replace {file} with the untouched exercise? Your version is kept as {backup}.",
    "done": "{file} is the untouched exercise again; your version is in {backup}.",
    "restored": "{file} was missing: the untouched exercise is back.",
    "relanguaged": "{file} is the untouched exercise again, its statement in the language you chose.",
    "same": "{file} is already the untouched exercise: nothing to reset.",
    "no_starter": "the untouched version of {file} is not part of this kit",
}


class ResetError(Exception):
    """The stub can't be restored (no starter in this kit)."""


def pristine(exercise: Exercise, lang: str = "en") -> str:
    """The stub as the kit ships it, its statement in `lang`: generated from the solution, or the student
    kit's recorded starter (translated the same way)."""
    from grader.catalog import kit, stubs
    from grader.learner.studentkit import STARTERS

    solution = exercise.solution_file
    if solution.is_file():
        return stubs.stub_source(solution.read_text(encoding="utf-8"), exercise.filename, lang)
    starter = kit.GRADER_DIR / STARTERS / exercise.filename
    if starter.is_file():
        return stubs.localize_stub(starter.read_text(encoding="utf-8"), exercise.filename, lang)
    from grader.learner.text import tr

    raise ResetError(tr(TEXT["no_starter"], file=exercise.filename))


def untouched(exercise: Exercise, text: str) -> bool:
    """`text` is the exercise's stub as shipped, in any language (nothing of the learner's would be lost)."""
    from grader import i18n

    for lang in i18n.LANGUAGES:
        try:
            if text == pristine(exercise, lang):
                return True
        except ResetError:
            return False
    return False


def relanguage(exercises, folder: Path, lang: str) -> list[str]:
    """Rewrite each untouched stub in `folder` with its statement in `lang`; the files rewritten."""
    rewritten = []
    for exercise in exercises:
        target = Path(folder) / exercise.filename
        try:
            text = target.read_text(encoding="utf-8")
            wanted = pristine(exercise, lang)
        except (OSError, ResetError):
            continue
        if text != wanted and untouched(exercise, text):
            temporary = target.with_name(f".{target.name}.reset")
            temporary.write_text(wanted, encoding="utf-8")
            os.replace(temporary, target)
            rewritten.append(exercise.filename)
    return rewritten


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


def reset(exercise: Exercise, folder: Path, lang: str = "en") -> tuple[Path, Path | None]:
    """Restore the stub (its statement in `lang`) in `folder`; (the file, its backup or None when no work of
    the learner's was there: missing, or an untouched stub in any language)."""
    target = Path(folder) / exercise.filename
    stub = pristine(exercise, lang)
    backup = None
    if target.exists():
        current = target.read_text(encoding="utf-8", errors="replace")
        if current == stub:
            return target, None
        if not untouched(exercise, current):  # an untouched stub in another language is simply replaced
            backup = backup_path(target)
            os.replace(target, backup)  # the learner's file, byte for byte
    temporary = target.with_name(f".{target.name}.reset")
    temporary.write_text(stub, encoding="utf-8")
    os.replace(temporary, target)
    return target, backup
