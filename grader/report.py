"""The grade report (schema grade-report/1): plain dataclasses and their JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SCHEMA = "grade-report/1"
CHECK_STATUSES = ("passed", "failed", "error", "timeout", "skipped")
EXERCISE_STATUSES = ("passed", "failed", "error", "timeout")


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


@dataclass
class ExerciseResult:
    id: str
    title: str
    status: str
    score: float
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)
    message: str | None = None


@dataclass
class Report:
    score: float
    max_score: float
    exercises: list[ExerciseResult]
    seed: int
    hidden_included: bool = True

    @property
    def passed(self) -> bool:
        return all(check.status == "passed" for ex in self.exercises for check in ex.checks) and all(
            ex.status == "passed" for ex in self.exercises)

    def to_json(self) -> dict:
        """The report as grade-cli.md fixes it."""
        return {
            "schema": SCHEMA,
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [_exercise_json(exercise) for exercise in self.exercises],
        }


def _exercise_json(exercise: ExerciseResult) -> dict:
    """grade-cli.md's fields only (the load message also stands in the first check's message)."""
    data = asdict(exercise)
    data.pop("message")
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
        load_status, message = "error", message or "no checks were found for this exercise"
    return ExerciseResult(
        id=exercise_id, title=title, status=exercise_status(checks, load_status),
        score=round(sum(c.points for c in checks), 6), max_score=round(sum(c.max_points for c in checks), 6),
        checks=checks, message=message,
    )


def build_report(exercises: list[ExerciseResult], seed: int, hidden_included: bool = True) -> Report:
    return Report(
        score=round(sum(e.score for e in exercises), 6),
        max_score=round(sum(e.max_score for e in exercises), 6),
        exercises=exercises, seed=seed, hidden_included=hidden_included,
    )
