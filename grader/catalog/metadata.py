"""Load and validate the exercise metadata in grader/exercises.toml (the one declarative source)."""

from __future__ import annotations

import re
try:
    import tomllib  # novermin - Python 3.11+, tomli below
except ImportError:  # Python 3.10
    import tomli as tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

METADATA_FILE = Path(__file__).resolve().parents[1] / "exercises.toml"  # grader/exercises.toml
_ID = re.compile(r"^ex(\d\d)_[a-z0-9_]+$")
_MISTAKE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_EXERCISE_KEYS = {"id", "title", "points", "budget", "call_timeout", "reference_cpu", "reference_call_cpu",
                  "hints", "mistakes", "forbidden"}
MIN_BUDGET_MULTIPLE = 10  # a budget is at least this many times the reference's measured CPU time


class MetadataError(ValueError):
    """The metadata file is invalid; the message names the entry and the field."""


@dataclass(frozen=True)
class Exercise:
    """One exercise as the grader and the CLI see it."""

    id: str
    title: str
    order: int
    points: float
    budget: float
    call_timeout: float
    hints: tuple[str, ...]
    mistakes: tuple[str, ...]
    forbidden: tuple[str, ...]
    reference_cpu: float | None = None
    reference_call_cpu: float | None = None

    @property
    def number(self) -> int:
        return int(self.id[2:4])

    @property
    def short(self) -> str:
        """`cost` for `ex02_cost`."""
        return self.id[5:]

    @property
    def filename(self) -> str:
        return f"{self.id}.py"


@dataclass(frozen=True)
class Catalog:
    """All exercises in order, plus the known-mistake hints."""

    exercises: tuple[Exercise, ...]
    mistakes: dict[str, str]

    def get(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        raise KeyError(exercise_id)

    def hint_for(self, mistake: str) -> str | None:
        return self.mistakes.get(mistake)


def _require(entry: dict, key: str, kind: type | tuple, where: str):
    if key not in entry:
        raise MetadataError(f"{where}: missing field '{key}'")
    value = entry[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise MetadataError(f"{where}: field '{key}' has the wrong type ({type(value).__name__})")
    return value


def _exercise(entry: dict, position: int, mistakes: dict[str, str]) -> Exercise:
    where = f"exercise #{position + 1}"
    exercise_id = _require(entry, "id", str, where)
    where = f"exercise '{exercise_id}'"
    if not _ID.match(exercise_id):
        raise MetadataError(f"{where}: id must look like 'ex01_name'")
    extra = set(entry) - _EXERCISE_KEYS
    if extra:
        raise MetadataError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
    title = _require(entry, "title", str, where)
    points = _require(entry, "points", (int, float), where)
    budget = _require(entry, "budget", (int, float), where)
    call_timeout = _require(entry, "call_timeout", (int, float), where)
    hints = _require(entry, "hints", list, where)
    if points <= 0 or budget <= 0 or call_timeout <= 0:
        raise MetadataError(f"{where}: points, budget and call_timeout must be positive")
    if call_timeout > budget:
        raise MetadataError(f"{where}: call_timeout must not exceed budget")
    reference = entry.get("reference_cpu")
    reference_call = entry.get("reference_call_cpu")
    for name, value, limit in (("budget", reference, budget), ("call_timeout", reference_call, call_timeout)):
        if value is not None and (not isinstance(value, (int, float)) or value < 0):
            raise MetadataError(f"{where}: reference CPU times must be non-negative numbers")
        if value is not None and limit < MIN_BUDGET_MULTIPLE * value:
            raise MetadataError(f"{where}: {name} {limit:g} s is under {MIN_BUDGET_MULTIPLE}x the reference's "
                                f"{value:g} s of CPU time (run `grade budgets --write`)")
    if not 2 <= len(hints) <= 3 or not all(isinstance(h, str) and h.strip() for h in hints):
        raise MetadataError(f"{where}: needs 2 or 3 non-empty hints, from gentle to specific")
    listed = entry.get("mistakes", [])
    unknown = [m for m in listed if m not in mistakes]
    if unknown:
        raise MetadataError(f"{where}: mistake(s) not in the catalog: {', '.join(unknown)}")
    forbidden = entry.get("forbidden", [])
    if not all(isinstance(f, str) and f for f in forbidden):
        raise MetadataError(f"{where}: forbidden must be a list of names")
    return Exercise(exercise_id, title.strip(), position + 1, float(points), float(budget),
                    float(call_timeout), tuple(hints), tuple(listed), tuple(forbidden),
                    None if reference is None else float(reference),
                    None if reference_call is None else float(reference_call))


def parse(text: str) -> Catalog:
    """Parse and validate metadata text; raise MetadataError naming the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MetadataError(f"not valid TOML: {exc}") from None
    mistakes = data.get("mistake", {})
    if not isinstance(mistakes, dict):
        raise MetadataError("[mistake] must be a table of id = hint")
    for mistake_id, hint in mistakes.items():
        if not _MISTAKE_ID.match(mistake_id) or not isinstance(hint, str) or not hint.strip():
            raise MetadataError(f"mistake '{mistake_id}': needs a snake_case id and a non-empty hint")
    entries = data.get("exercise")
    if not isinstance(entries, list) or not entries:
        raise MetadataError("no [[exercise]] entries")
    exercises = tuple(_exercise(entry, i, mistakes) for i, entry in enumerate(entries))
    ids = [e.id for e in exercises]
    if len(set(ids)) != len(ids):
        raise MetadataError("duplicate exercise ids")
    numbers = [e.number for e in exercises]
    if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
        raise MetadataError("exercises must be listed in increasing, unique number order")
    return Catalog(exercises, dict(mistakes))


@lru_cache(maxsize=1)
def load() -> Catalog:
    """The kit's catalog."""
    return parse(METADATA_FILE.read_text(encoding="utf-8"))


class UnknownExercise(KeyError):
    """A name that names no exercise (or several); `suggestions` are the ids it may have meant."""

    def __init__(self, name: str, suggestions: tuple[str, ...] = (), ambiguous: bool = False) -> None:
        super().__init__(name)
        self.name = name
        self.suggestions = suggestions
        self.ambiguous = ambiguous


_NUMBER = re.compile(r"^(?:ex)?0*(\d{1,2})$")
MIN_PREFIX = 3  # `hyp`, `sof`: shorter prefixes would name too many exercises


def _matches(exercise: Exercise, key: str) -> bool:
    """Exact names: `ex02_cost`, `ex02`, `cost`, `2`, `02`, `ex2`."""
    number = _NUMBER.match(key)
    return key in {exercise.id, exercise.id[:4], exercise.short} or bool(number and int(number[1]) == exercise.number)


def _prefixed(exercise: Exercise, key: str) -> bool:
    """`hypo` (ex01_hypothesis), `softmax`, `linear_reg`, `ex09_soft`: the start of the id, its name or a word of it."""
    if len(key) < MIN_PREFIX:
        return False
    words = exercise.short.split("_")
    return (exercise.id.startswith(key) or exercise.short.startswith(key)
            or any("_".join(words[i:]).startswith(key) for i in range(1, len(words))))


def find(catalog: Catalog, name: str) -> Exercise:
    """One exercise by any of its names or an unambiguous prefix; UnknownExercise otherwise."""
    key = name.strip().lower().removesuffix(".py").replace("-", "_").replace(" ", "_")
    key = key.rsplit("/", 1)[-1]  # exercises/ex02_cost.py
    for exercise in catalog.exercises:
        if _matches(exercise, key):
            return exercise
    candidates = [exercise for exercise in catalog.exercises if _prefixed(exercise, key)]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise UnknownExercise(name, tuple(e.id for e in candidates), ambiguous=True)
    import difflib

    names = {}
    for exercise in catalog.exercises:
        for form in (exercise.id, exercise.short, *exercise.short.split("_")):
            names.setdefault(form, exercise.id)
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.6) if not _NUMBER.match(key) else []
    raise UnknownExercise(name, tuple(dict.fromkeys(names[c] for c in close)))


def resolve(catalog: Catalog, names: tuple[str, ...] | list[str]) -> list[Exercise]:
    """Map `ex02_cost`, `ex02`, `ex2`, `2`, `02`, `cost` or a prefix (`hypo`) to exercises.

    UnknownExercise (a KeyError whose first argument is the name) for a name that matches none or several.
    """
    if not names:
        return list(catalog.exercises)
    chosen: list[Exercise] = []
    for name in names:
        match = find(catalog, name)
        if match not in chosen:
            chosen.append(match)
    return sorted(chosen, key=lambda e: e.order)
