"""The learner's small state file: hints unlocked, exercises passed and the language chosen, kept in the kit, never in a module.

It lives in `.grade/state.json` beside the learner's `exercises/` folder (the kit's root, or a
student kit's), with a `.gitignore` of its own so it never ends up in a commit. Where that folder
can't be written, it falls back to the user's state folder. A missing or damaged file is an empty
state: nothing here may stop `grade` from working.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

STATE_FOLDER = ".grade"
STATE_FILE = "state.json"
VERSION = 1


def kit_folder(exercises_dir: Path | None = None) -> Path:
    """The folder holding the learner's exercises/ (where `.grade/` goes)."""
    from grader.catalog import kit

    return Path(exercises_dir or kit.default_exercises_dir()).resolve().parent


def _fallback(folder: Path) -> Path:
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    tag = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    return base / "torch-exercise-kit" / tag


class State:
    """Read, change, save. Every method tolerates a missing or broken file."""

    def __init__(self, exercises_dir: Path | None = None) -> None:
        self.folder = kit_folder(exercises_dir) / STATE_FOLDER
        self.data: dict[str, Any] = {"version": VERSION, "hints": {}, "exercises": {}, "settings": {}}
        for candidate in (self.folder / STATE_FILE, _fallback(self.folder.parent) / STATE_FILE):
            loaded = _read(candidate)
            if loaded is not None:
                self.data.update(loaded)
                break

    # hints --------------------------------------------------------------------------------
    def hints_shown(self, exercise_id: str) -> int:
        value = self.data.get("hints", {}).get(exercise_id, 0)
        return value if isinstance(value, int) and value >= 0 else 0

    def set_hints_shown(self, exercise_id: str, count: int) -> None:
        self.data.setdefault("hints", {})[exercise_id] = int(count)

    # settings (the language chosen with `grade lang`) -----------------------------------------
    def setting(self, name: str) -> str | None:
        value = self.data.get("settings", {}).get(name)
        return value if isinstance(value, str) else None

    def set_setting(self, name: str, value: str | None) -> None:
        settings = self.data.setdefault("settings", {})
        if value is None:
            settings.pop(name, None)
        else:
            settings[name] = value

    # results ------------------------------------------------------------------------------
    def result(self, exercise_id: str) -> dict:
        value = self.data.get("exercises", {}).get(exercise_id)
        return value if isinstance(value, dict) else {}

    def record(self, exercise_id: str, status: str, score: float, max_score: float, started: bool = True) -> None:
        self.data.setdefault("exercises", {})[exercise_id] = {
            "status": status, "score": score, "max_score": max_score, "started": started}

    def forget(self, exercise_id: str) -> None:
        self.data.get("exercises", {}).pop(exercise_id, None)

    def save(self) -> Path | None:
        """Write atomically; the path written, or None when no folder could take it."""
        text = json.dumps(self.data, indent=1, sort_keys=True)
        for folder in (self.folder, _fallback(self.folder.parent)):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                ignore = folder / ".gitignore"
                if folder == self.folder and not ignore.exists():
                    ignore.write_text("# the grade command's own state: never commit it\n*\n", encoding="utf-8")
                handle, temporary = tempfile.mkstemp(prefix=".state-", dir=folder)
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(text)
                os.replace(temporary, folder / STATE_FILE)
                return folder / STATE_FILE
            except OSError:
                continue
        return None


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    return {key: value for key, value in data.items() if isinstance(value, dict) or key == "version"}
