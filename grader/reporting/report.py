"""The grade report (schema grade-report/1): plain dataclasses and their JSON form."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

SCHEMA = "grade-report/1"
CHECK_STATUSES = ("passed", "failed", "error", "timeout", "skipped")
EXERCISE_STATUSES = ("passed", "failed", "error", "timeout")
TIMEOUT_KINDS = ("cpu", "wall")
_CHECK_FIELDS = ("id", "description", "status", "points", "max_points", "visibility", "message", "hint", "mistake",
                 "waits_for", "timeout")
_EXERCISE_FIELDS = ("id", "title", "status", "score", "max_score")


@dataclass
class CheckResult:
    id: str
    description: str
    status: str
    points: float
    max_points: float
    visibility: str
    message: str | None = None
    hint: str | None = None
    mistake: str | None = None
    waits_for: list[str] = field(default_factory=list)  # the checks a `skipped` check depended on
    timeout: str | None = None  # "cpu" or "wall" for a `timeout` status
    not_counted: str | None = None  # set when the points were withdrawn: the function behind it was not the learner's
    not_implemented: bool = False  # the learner's function still raises the stub's NotImplementedError

    def to_json(self) -> dict:
        data = {name: getattr(self, name) for name in _CHECK_FIELDS}
        data["waits_for"] = list(self.waits_for) if self.status == "skipped" else []
        data["timeout"] = self.timeout if self.status == "timeout" else None
        return data


@dataclass
class ExerciseResult:
    id: str
    title: str
    status: str
    score: float
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)
    message: str | None = None

    @property
    def not_started(self) -> bool:
        """Still the stub: every check met its NotImplementedError or waits for one that did."""
        return self.status == "failed" and any(c.not_implemented for c in self.checks) and all(
            c.not_implemented or c.status == "skipped" for c in self.checks)


@dataclass
class FileDigest:
    """A graded module: its file name and the sha256 of its content (None when the file is missing)."""

    file: str
    sha256: str | None

    @classmethod
    def of(cls, path: Path) -> "FileDigest":
        path = Path(path)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        except OSError:
            digest = None
        return cls(path.name, digest)


@dataclass
class Report:
    score: float
    max_score: float
    exercises: list[ExerciseResult]
    seed: int
    hidden_included: bool = True
    files: list[FileDigest] = field(default_factory=list)
    confinement: list[str] = field(default_factory=list)  # the isolation layers that held for learner code
    internal_errors: list[str] = field(default_factory=list)  # problems in the grader itself (never the learner's)
    # per exercise: (CPU seconds of the whole exercise, of its longest call), for `grade budgets`; not in the JSON
    cpu_seconds: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(check.status == "passed" for ex in self.exercises for check in ex.checks) and all(
            ex.status == "passed" for ex in self.exercises)

    def to_json(self) -> dict:
        """The report as grade-cli.md fixes it."""
        return {
            "schema": SCHEMA,
            "kit_version": kit_version(),
            "torch_version": torch_version(),
            "seed": self.seed,
            "hidden_checks": "included" if self.hidden_included else "not included",
            "confinement": [str(layer) for layer in self.confinement],
            "files": [{"file": f.file, "sha256": f.sha256} for f in self.files],
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [_exercise_json(exercise) for exercise in self.exercises],
        }


def kit_version() -> str:
    """The installed kit's version (the package metadata; "unknown" when it is not installed)."""
    from importlib import metadata

    try:
        return metadata.version("torch-exercise-kit")
    except metadata.PackageNotFoundError:
        return "unknown"


def torch_version() -> str:
    try:
        import torch
    except ImportError:  # pragma: no cover - the kit depends on torch
        return "unknown"
    return str(torch.__version__)


def _exercise_json(exercise: ExerciseResult) -> dict:
    """grade-cli.md's fields only (the load message also stands in the first check's message)."""
    data = {name: getattr(exercise, name) for name in _EXERCISE_FIELDS}
    data["checks"] = [check.to_json() for check in exercise.checks]
    return data


def exercise_status(checks: list[CheckResult], load_status: str | None) -> str:
    """`error`/`timeout` when the module could not load; `timeout` when a check ran out of time."""
    if load_status in ("error", "timeout"):
        return load_status
    if checks and all(check.status == "passed" for check in checks):
        return "passed"
    if any(check.status == "timeout" for check in checks):
        return "timeout"
    return "failed"


def build_exercise(exercise_id: str, title: str, checks: list[CheckResult], load_status: str | None,
                   message: str | None = None) -> ExerciseResult:
    """Sum the points and decide the exercise status."""
    if not checks and load_status is None:
        from grader.i18n import tr

        load_status, message = "error", message or tr("no checks were found for this exercise")
    return ExerciseResult(
        id=exercise_id, title=title, status=exercise_status(checks, load_status),
        score=round(sum(c.points for c in checks), 6), max_score=round(sum(c.max_points for c in checks), 6),
        checks=checks, message=message,
    )


def build_report(exercises: list[ExerciseResult], seed: int, hidden_included: bool = True,
                 module_paths: Iterable[Path] | None = None, confinement: Iterable[str] | None = None,
                 internal_errors: Iterable[str] = (), cpu_seconds: dict[str, tuple[float, float]] | None = None) -> Report:
    """The report, complete; `module_paths` are the graded learner modules (hashed for `files`, named by file name only)."""
    return Report(
        score=round(sum(e.score for e in exercises), 6),
        max_score=round(sum(e.max_score for e in exercises), 6),
        exercises=exercises, seed=seed, hidden_included=hidden_included,
        files=[FileDigest.of(Path(path)) for path in (module_paths or [])],
        confinement=list(confinement or []), internal_errors=list(internal_errors), cpu_seconds=dict(cpu_seconds or {}),
    )
