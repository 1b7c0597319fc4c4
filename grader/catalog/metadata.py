"""The exercise catalog: one folder per exercise, found by scanning, in the order of the course.

Each exercise is a folder `grader/curriculum/<exercise_id>/` (or a folder a course adds from
elsewhere) holding `exercise.toml` (title, points, budgets, hints, known mistakes, forbidden
calls), `checks.py`, and optionally `mistakes.py`, `probes.py` and `<lang>.toml`. Nothing lists
the exercises centrally: removing the folder removes the exercise. Mistakes more than one
exercise names keep their hint in `grader/curriculum/mistakes.toml`.

A course is a choice of exercises: an optional `course.toml` at the kit's root (or the file
`GRADE_COURSE` names) with `exercises = [...]`, each a kit exercise id or a path (relative to
the course file) to an exercise folder; without it the course is every kit exercise, in the
order of their ids.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field

try:
    import tomllib  # novermin - Python 3.11+, tomli below
except ImportError:  # Python 3.10
    import tomli as tomllib
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from grader.catalog import kit

EXERCISE_FILE = "exercise.toml"
CHECKS_FILE = "checks.py"
ALTERNATIVES_DIR = "alternatives"  # valid learner solutions written differently: each must pass every check
MISTAKEN_DIR = "mistaken"  # learner modules with a known mistake: <mistake_id>.py, each caught and named
# what a student release leaves out of an exercise folder (the answers and how mistakes are recognised)
INSTRUCTOR_ONLY = ("mistakes.py", "solution.py", ALTERNATIVES_DIR, MISTAKEN_DIR)
SHARED_MISTAKES_FILE = kit.CURRICULUM_DIR / "mistakes.toml"
COURSE_FILE = kit.KIT_ROOT / "course.toml"  # a teacher's course, beside pyproject.toml
RELEASED_COURSE_FILE = kit.CURRICULUM_DIR / "course.toml"  # the order of a student kit's exercises
_ID = re.compile(r"^ex(\d\d)_[a-z0-9_]+$")
_MISTAKE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_EXERCISE_KEYS = {"title", "points", "budget", "call_timeout", "reference_cpu", "reference_call_cpu",
                  "hints", "mistakes", "forbidden", "mistake"}
MIN_BUDGET_MULTIPLE = 10  # a budget is at least this many times the reference's measured CPU time


class MetadataError(ValueError):
    """The metadata is invalid; the message names the file or entry and the field."""


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
    folder: Path | None = field(default=None, compare=False)  # where everything that defines it lives

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

    @property
    def metadata_file(self) -> Path:
        return self._folder / EXERCISE_FILE

    @property
    def check_file(self) -> Path:
        """The exercise's checks (public and hidden)."""
        return self._folder / CHECKS_FILE

    @property
    def solution_file(self) -> Path:
        """The reference solution: solutions/<id>.py in the kit, or solution.py in a folder a course adds."""
        own = self._folder / "solution.py"
        return own if own.is_file() else kit.SOLUTIONS_DIR / self.filename

    @property
    def module_prefix(self) -> str:
        """The exercise folder as a package: `grader.curriculum.<id>` (its checks, mistakes, probes)."""
        return f"grader.curriculum.{self.id}"

    @property
    def _folder(self) -> Path:
        return self.folder if self.folder is not None else kit.CURRICULUM_DIR / self.id


@dataclass(frozen=True)
class Catalog:
    """The course's exercises in order, plus the known-mistake hints."""

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


def _exercise(exercise_id: str, entry: dict, position: int, mistakes: dict[str, str],
              folder: Path | None = None, where: str | None = None) -> Exercise:
    where = where or f"exercise '{exercise_id}'"
    if not _ID.match(exercise_id):
        raise MetadataError(f"{where}: the folder name (the id) must look like 'ex01_name'")
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
                    None if reference_call is None else float(reference_call), folder)


def _toml(text: str, where: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MetadataError(f"{where}: not valid TOML: {exc}") from None


def parse_mistakes(table: object, where: str) -> dict[str, str]:
    """A `[mistake]` table: snake_case id = a non-empty hint."""
    if not isinstance(table, dict):
        raise MetadataError(f"{where}: [mistake] must be a table of id = hint")
    for mistake_id, hint in table.items():
        if not _MISTAKE_ID.match(mistake_id) or not isinstance(hint, str) or not hint.strip():
            raise MetadataError(f"{where}: mistake '{mistake_id}': needs a snake_case id and a non-empty hint")
    return dict(table)


def parse_exercise(exercise_id: str, text: str, shared: dict[str, str], position: int = 0,
                   folder: Path | None = None, where: str | None = None) -> tuple[Exercise, dict[str, str]]:
    """One exercise.toml: the exercise and the hints of the mistakes only it names."""
    where = where or f"{exercise_id}/{EXERCISE_FILE}"
    entry = _toml(text, where)
    own = parse_mistakes(entry.get("mistake", {}), where)
    clash = sorted(set(own) & set(shared))
    if clash:
        raise MetadataError(f"{where}: mistake(s) {', '.join(clash)} already have a hint in "
                            f"{SHARED_MISTAKES_FILE.name}; list them in `mistakes` without a hint")
    return _exercise(exercise_id, entry, position, {**shared, **own}, folder, where), own


def build(folders: list[Path], shared_text: str | None = None) -> Catalog:
    """The catalog of the exercise folders, in this order; MetadataError names the first problem."""
    shared = parse_mistakes(_toml(shared_text, SHARED_MISTAKES_FILE.name).get("mistake", {}),
                            SHARED_MISTAKES_FILE.name) if shared_text else {}
    if not folders:
        raise MetadataError("the course has no exercises")
    exercises, mistakes, owner = [], dict(shared), {}
    for position, folder in enumerate(folders):
        source = folder / EXERCISE_FILE
        where = _shown(source)
        if not source.is_file():
            raise MetadataError(f"{_shown(folder)}: not an exercise folder (no {EXERCISE_FILE} in it)")
        exercise, own = parse_exercise(folder.name, source.read_text(encoding="utf-8"), shared, position,
                                       folder, where)
        for mistake, hint in own.items():
            if mistake in owner and mistakes[mistake] != hint:
                raise MetadataError(f"{where}: mistake '{mistake}' has another hint in {owner[mistake]}; "
                                    f"give it one hint in {SHARED_MISTAKES_FILE.name}")
            owner.setdefault(mistake, where)
            mistakes[mistake] = hint
        exercises.append(exercise)
    ids = [e.id for e in exercises]
    if len(set(ids)) != len(ids):
        raise MetadataError(f"duplicate exercise ids in the course: {', '.join(sorted({i for i in ids if ids.count(i) > 1}))}")
    numbers = [e.number for e in exercises]
    if len(set(numbers)) != len(numbers):
        raise MetadataError("two exercises of the course have the same number (exNN): `grade run 2` must name one")
    return Catalog(tuple(exercises), mistakes)


def _shown(path: Path) -> str:
    """A path as a message shows it: relative to the kit when inside it."""
    try:
        return Path(path).resolve().relative_to(kit.KIT_ROOT).as_posix()
    except ValueError:
        return Path(path).name


def kit_folders(root: Path | None = None) -> list[Path]:
    """The kit's exercise folders (every folder of grader/curriculum/ with an exercise.toml), by id."""
    root = root or kit.CURRICULUM_DIR
    return sorted((p for p in root.iterdir() if (p / EXERCISE_FILE).is_file()), key=lambda p: p.name)


def course_file() -> Path | None:
    """The course file in use: `GRADE_COURSE`, else course.toml at the kit's root, else none."""
    named = os.environ.get("GRADE_COURSE", "").strip()
    if named:
        return Path(named).expanduser()
    return next((path for path in (COURSE_FILE, RELEASED_COURSE_FILE) if path.is_file()), None)


def course_folders(path: Path | None = None) -> list[Path]:
    """The exercise folders of the course, in its order (every kit exercise without a course file)."""
    path = course_file() if path is None else path
    if path is None:
        return kit_folders()
    if not path.is_file():
        raise MetadataError(f"the course file {path.name} does not exist")
    data = _toml(path.read_text(encoding="utf-8"), path.name)
    listed = data.get("exercises")
    if not isinstance(listed, list) or not all(isinstance(item, str) and item.strip() for item in listed):
        raise MetadataError(f"{path.name}: `exercises` must be a list of exercise ids or folders")
    extra = set(data) - {"exercises"}
    if extra:
        raise MetadataError(f"{path.name}: unknown field(s) {', '.join(sorted(extra))}")
    folders = []
    for item in listed:
        folder = (path.parent / item).resolve() if ("/" in item or item.startswith(".")) else kit.CURRICULUM_DIR / item
        if not (folder / EXERCISE_FILE).is_file():
            raise MetadataError(f"{path.name}: {item!r} is not an exercise (no {EXERCISE_FILE} in {_shown(folder)})")
        folders.append(folder)
    return folders


def _importable(folders: list[Path]) -> None:
    """Folders a course adds from outside the kit are importable as grader.curriculum.<id> too."""
    import grader.curriculum

    for folder in folders:
        parent = str(folder.resolve().parent)
        if folder.resolve().parent != kit.CURRICULUM_DIR.resolve() and parent not in grader.curriculum.__path__:
            grader.curriculum.__path__.append(parent)


@lru_cache(maxsize=1)
def load() -> Catalog:
    """The course's catalog (cached for the process)."""
    folders = course_folders()
    catalog = build(folders, SHARED_MISTAKES_FILE.read_text(encoding="utf-8") if SHARED_MISTAKES_FILE.is_file() else None)
    _importable(folders)
    return catalog


def outside_folders(catalog: Catalog) -> list[Path]:
    """The course's exercise folders that are not in the kit (hidden from learner code like the kit's own)."""
    inside = kit.CURRICULUM_DIR.resolve()
    return [e.folder.resolve() for e in catalog.exercises if e.folder is not None and e.folder.resolve().parent != inside]


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


def check_file(exercise_id: str) -> Path:
    """The checks of one exercise of the course."""
    return load().get(exercise_id).check_file


@contextlib.contextmanager
def reference_folder(exercises: list[Exercise]) -> Iterator[Path]:
    """A folder holding every given exercise's reference as `<id>.py`, to grade it as a learner's folder.

    solutions/ itself when every reference is there; else a temporary copy (a course's own folders
    keep their solution.py beside their checks).
    """
    if all(e.solution_file == kit.SOLUTIONS_DIR / e.filename for e in exercises):
        yield kit.SOLUTIONS_DIR
        return
    with tempfile.TemporaryDirectory(prefix="kit-references-") as folder:
        for exercise in exercises:
            shutil.copyfile(exercise.solution_file, Path(folder) / exercise.filename)
        yield Path(folder)


def hidden_folders() -> list[str]:
    """What learner code must never read: grader/ (checks, mistakes, probes, recorded answers), solutions/,
    and the course's exercise folders outside the kit (their checks and solution.py)."""
    try:
        outside = outside_folders(load())
    except MetadataError:
        outside = []  # the command reports the broken catalog; the kit's own folders stay hidden
    return [str(kit.GRADER_DIR), str(kit.SOLUTIONS_DIR), *map(str, outside)]
