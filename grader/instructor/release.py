"""`grade release OUT`: a self-contained student kit with stubs, public checks and recorded references.

What ships: the course's exercises, in its order: `exercises/` (stubs generated from the
solutions), the grader package with one folder per exercise of the course, every hidden check cut
out of its checks.py, the public checks' reference answers recorded in `grader/recorded/oracle.pt`,
a pyproject and a README. What never ships: `solutions/` and an exercise's solution.py, mistake
variants (`grader/mistakes/`, each mistakes.py), its alternatives/ and mistaken/ sources, hidden
checks, compiled files.
The answers are recorded by running the stripped checks (exactly those that ship) against the
reference solutions in a staging copy, in a subprocess, so the release proves its checks work.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
try:
    import tomllib  # novermin - Python 3.11+, tomli below
except ImportError:  # Python 3.10
    import tomli as tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.catalog import kit, metadata, stubs
from grader.instructor import release_texts
from grader.learner.studentkit import rewrite_points, write_starters

RECORDED = kit.RECORDED_ORACLE
_NEVER_COPIED = ("__pycache__", "*.pyc", "*.pyo", "*.egg-info", ".pytest_cache")
_INSTRUCTOR_ONLY = ("mistakes", "recorded")  # top-level folders of grader/ that a release leaves out


class ReleaseError(Exception):
    """The release cannot be made; `status` is the exit status (2 usage, 1 the solutions fail)."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class ReleaseSummary:
    """What `build` wrote, for the command's closing lines."""

    out: Path
    exercises: int
    public_checks: int
    hidden_removed: int
    answers: int
    without_checks: list[str] = field(default_factory=list)


# stripping hidden checks ----------------------------------------------------------------------
def _visibility(function: ast.FunctionDef, filename: str) -> str | None:
    """'public'/'hidden' for a @check-decorated function, None for anything else."""
    for decorator in function.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        target = decorator.func
        name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
        if name != "check":
            continue
        for keyword in decorator.keywords:
            if keyword.arg == "visibility":
                if not isinstance(keyword.value, ast.Constant) or not isinstance(keyword.value.value, str):
                    raise ReleaseError(f"{filename}:{function.lineno}: write visibility= as a string literal "
                                       f"in {function.name} so the release can tell hidden checks apart")
                return keyword.value.value
        return "public"
    return None


def _start(node: ast.stmt, lines: list[str]) -> int:
    """0-based first line of a statement, with its decorators and the comment block right above it."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    while first > 0 and lines[first - 1].lstrip().startswith("#"):
        first -= 1
    return first


def _defined_name(node: ast.stmt) -> str | None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    if len(targets) == 1 and isinstance(targets[0], ast.Name):
        return targets[0].id
    return None


def _names_used(nodes: list[ast.stmt]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def strip_hidden(source: str, filename: str) -> tuple[str, list[str]]:
    """(source without its hidden checks, their names); helpers only they used go too, the rest is kept byte for byte."""
    tree = ast.parse(source, filename)
    lines = source.splitlines(keepends=True)
    hidden = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
              and _visibility(node, filename) == "hidden"]
    removed = list(hidden)
    only_hidden = _names_used(hidden)
    while True:  # module-level helpers and constants that nothing left uses (hidden inputs live there)
        kept = [node for node in tree.body if node not in removed]
        orphans = [node for node in kept if _defined_name(node) in only_hidden
                   and _defined_name(node) not in _names_used([other for other in kept if other is not node])]
        if not orphans:
            break
        removed.extend(orphans)
        only_hidden |= _names_used(orphans)
    drop: set[int] = set()
    for node in removed:
        first = _start(node, lines)
        while first > 0 and not lines[first - 1].strip():
            first -= 1  # the blank lines that separated it from what came before
        drop.update(range(first, node.end_lineno))
    text = "".join(line for index, line in enumerate(lines) if index not in drop)
    if text and not text.endswith("\n"):
        text += "\n"
    ast.parse(text, filename)  # must still be a valid module
    return text, [node.name for node in hidden]


# writing the kit ------------------------------------------------------------------------------
def _ignore(root: Path):
    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(shutil.ignore_patterns(*_NEVER_COPIED)(folder, names))
        if Path(folder).resolve() == root.resolve():
            skipped.update(name for name in names if name in _INSTRUCTOR_ONLY)
        return skipped
    return ignore


def stage_grader(target: Path, exercises: list[metadata.Exercise]) -> None:
    """grader/ without what only instructors have, holding exactly the course's exercise folders, in its order."""
    shutil.copytree(kit.GRADER_DIR, target, ignore=_ignore(kit.GRADER_DIR))
    curriculum = target / kit.CURRICULUM_DIR.name
    chosen = {e.id for e in exercises}
    for folder in curriculum.iterdir():
        if folder.is_dir() and folder.name not in chosen and folder.name != "__pycache__":
            shutil.rmtree(folder)
    never = shutil.ignore_patterns(*_NEVER_COPIED, *metadata.INSTRUCTOR_ONLY)
    for exercise in exercises:
        staged = curriculum / exercise.id
        if staged.exists():
            shutil.rmtree(staged)
        shutil.copytree(exercise.metadata_file.parent, staged, ignore=never)
    (curriculum / metadata.RELEASED_COURSE_FILE.name).write_text(
        "# The exercises of this kit, in order.\nexercises = [" + ", ".join(f'"{e.id}"' for e in exercises) + "]\n",
        encoding="utf-8")


def _pyproject() -> str:
    """The student kit's pyproject: console script `grade`, runtime dependencies, the grader package only."""
    instructor = tomllib.loads((kit.KIT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = instructor.get("project", {})
    data = instructor.get("tool", {}).get("setuptools", {}).get("package-data", {}).get("grader", [])
    data = sorted(set(data) | {"recorded/*", "starters/*"})
    return "\n".join([
        "[build-system]",
        'requires = ["setuptools>=68"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        'name = "torch-exercise-kit-student"',
        f'version = "{project.get("version", "0.1.0")}"',
        'description = "PyTorch exercises with a `grade` command that checks your work and names your mistakes."',
        'readme = "README.md"',
        f'requires-python = "{project.get("requires-python", ">=3.11")}"',
        'dependencies = ["torch>=2.1", "numpy", "click", "pytest", "watchfiles>=0.21", "plotext>=5.2"]',
        "",
        "[project.optional-dependencies]",
        'plot = ["matplotlib>=3.7"]',
        "",
        "[project.scripts]",
        'grade = "grader.cli.group:entry"',
        "",
        "[tool.setuptools.packages.find]",
        'include = ["grader*"]',
        "",
        "[tool.setuptools.package-data]",
        "grader = [" + ", ".join(json.dumps(p) for p in data) + "]",
        "",
    ])


def _readme(exercises: list[str]) -> str:
    from grader.learner.studentkit import torch_pin

    listed = "\n".join(f"- `exercises/{name}.py`" for name in exercises)
    pin_line = f"pip install {torch_pin()}".ljust(49)
    return f"""# PyTorch exercises

Each file in `exercises/` is one exercise: read its docstring, then replace every
`raise NotImplementedError(...)` (marked `TODO`) with your code. The `grade` command checks
your work and explains every failure.

## Set up

Python 3.11 or newer. In this folder:

```
python3 -m venv .venv && . .venv/bin/activate    # Windows: .venv\\Scripts\\activate
{pin_line}# first: the torch this kit was tested with
pip install -e .                                 # add ".[plot]" for PNG training curves (matplotlib)
```

## Work

```
grade list              # the exercises, their titles and points
grade run               # check every exercise (run it in this folder)
grade run ex02          # check one exercise (ex02_cost, ex02, 2 and cost all work)
grade hint ex02         # the next hint each time you ask (--all: every hint)
grade watch             # re-checks the exercise you are on each time you save it
grade progress          # what passes so far, your points, the next exercise
grade reset ex02        # start ex02 over (your version is kept as ex02_cost.backup.py)
grade run ex04 --plot   # your training curve beside the reference run
grade run --json        # the report as JSON
```

`grade run` exits with 0 when every check passed and 1 otherwise.

## What `grade run` checks here

Only the **public** checks run on your computer. **Hidden checks run when your work is
graded**: they try more inputs (other sizes, float64, random batches), so a solution that
only fits the public examples can still lose points. Write what the docstring asks, not what
the public checks happen to test.

Randomised checks replay only with the default seed here; with another `--seed` they are
reported as not judged.

## Exercises

{listed}
"""


def localize_kit(staged: Path, lang: str) -> None:
    """The stubs of a staged student kit with their statement in `lang`, and `lang` as the kit's language."""
    from grader.learner.state import State

    for stub in sorted((staged / "exercises").glob("ex*.py")):
        stub.write_text(stubs.localize_stub(stub.read_text(encoding="utf-8"), stub.name, lang), encoding="utf-8")
    state = State(staged / "exercises")
    state.data = {"version": state.data["version"], "hints": {}, "exercises": {}, "settings": {"lang": lang}}
    state.save()


def _readme_ko(exercises: list[str]) -> str:
    """The student kit's README in Korean (the English one follows it)."""
    from grader.learner.studentkit import torch_pin

    listed = "\n".join(f"- `exercises/{name}.py`" for name in exercises)
    pin_line = f"pip install {torch_pin()}".ljust(49)
    return f"""# PyTorch 실습

`exercises/`의 파일 하나가 실습 하나입니다: 파일 맨 위와 각 함수의 docstring에 적힌 문제를 읽고,
`TODO`로 표시된 `raise NotImplementedError(...)`를 모두 여러분의 코드로 바꾸세요. `grade` 명령이
여러분의 코드를 검사하고 실패마다 이유를 설명합니다. 이 키트의 `grade`는 한국어로 말합니다
(`grade lang en`으로 영어로 바꿀 수 있습니다).

## 준비

Python 3.11 이상. 이 폴더에서:

```
python3 -m venv .venv && . .venv/bin/activate    # Windows: .venv\\Scripts\\activate
{pin_line}# 먼저: 이 키트를 시험한 torch
pip install -e .                                 # PNG 학습 곡선을 원하면 ".[plot]"(matplotlib)
```

## 실습하기

```
grade list              # 실습, 제목, 배점
grade show ex02         # ex02의 문제 설명
grade run               # 모든 실습 검사(이 폴더에서 실행하세요)
grade run ex02          # 실습 하나 검사(ex02_cost, ex02, 2, cost 모두 됩니다)
grade hint ex02         # 요청할 때마다 다음 힌트(--all: 모든 힌트)
grade watch             # 저장할 때마다 지금 하는 실습을 다시 검사
grade progress          # 지금까지 통과한 것, 점수, 다음 실습
grade reset ex02        # ex02를 처음부터 다시(여러분의 버전은 ex02_cost.backup.py로 남습니다)
```

이 컴퓨터에서는 **공개** 검사만 실행됩니다. **숨겨진 검사는 과제를 채점할 때 실행되며**, 더 많은
입력(다른 크기, float64, 무작위 배치)을 시도합니다. 공개 예제만 맞추는 코드가 아니라 docstring이
요구하는 것을 작성하세요.

## 실습 목록

{listed}
"""


def _guard_out(out: Path, force: bool) -> None:
    resolved = out.resolve()
    if resolved == kit.KIT_ROOT or resolved in kit.KIT_ROOT.parents or kit.GRADER_DIR in resolved.parents \
            or resolved.name in ("solutions", "exercises") and resolved.parent == kit.KIT_ROOT:
        raise ReleaseError(f"refusing to write a release to {out}: it holds the kit itself")
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ReleaseError(f"{out} exists and is not empty (use --force to replace it)")


def build(out: Path, *, force: bool = False, lang: str = "en") -> ReleaseSummary:
    """Write the student kit to `out`; nothing is left in `out` unless the whole release succeeded.

    `lang` other than English gives a kit for learners of that language: the stubs state their exercise
    in it, the README is written in it and `grade` speaks it by default (the kit's remembered choice);
    the recorded starters stay English (`grade reset` translates them on the way out).
    """
    out = Path(out)
    exercises = [e for e in metadata.load().exercises if e.solution_file.is_file()]
    if not exercises or not kit.has_solutions():
        raise ReleaseError(f"no reference solutions in {kit.SOLUTIONS_DIR}: `grade release` runs in the instructor kit")
    _guard_out(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        staged = work / "kit"
        stage_grader(staged / "grader", exercises)
        hidden_removed = 0
        hidden_texts = release_texts.Hidden()
        for exercise in exercises:
            module = staged / "grader" / kit.CURRICULUM_DIR.name / exercise.id / metadata.CHECKS_FILE
            if not module.is_file():
                continue
            original = module.read_text(encoding="utf-8")
            release_texts.hidden_checks(exercise.id, original, hidden_texts)
            text, hidden = strip_hidden(original, f"{exercise.id}/{metadata.CHECKS_FILE}")
            module.write_text(text, encoding="utf-8")
            hidden_removed += len(hidden)
        # their ids, descriptions and messages must not ship in any catalog either, in any language
        release_texts.filter_release(staged, hidden_texts, {e.id for e in exercises})
        (staged / "exercises").mkdir()
        for exercise in exercises:
            source = exercise.solution_file.read_text(encoding="utf-8")
            (staged / "exercises" / exercise.filename).write_text(stubs.stub_source(source, exercise.filename),
                                                                  encoding="utf-8")
        write_starters(staged / "grader", staged / "exercises")  # what `grade reset` restores
        if lang != "en":
            localize_kit(staged, lang)
        (staged / "pyproject.toml").write_text(_pyproject(), encoding="utf-8")
        readme = _readme([e.id for e in exercises])
        (staged / "README.md").write_text(readme if lang == "en" else _readme_ko([e.id for e in exercises]) + "\n"
                                          + readme, encoding="utf-8")
        recorded = _record(staged / "grader", exercises, work / "staging")
        (staged / RECORDED).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(recorded["path"], staged / RECORDED)
        rewrite_points(staged / "grader" / kit.CURRICULUM_DIR.name, recorded["points"])  # what its public checks award
        if out.exists():
            shutil.rmtree(out)
        os.replace(staged, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ReleaseSummary(out, len(exercises), recorded["checks"], hidden_removed, recorded["answers"],
                          recorded["without_checks"])


def _record(grader_dir: Path, exercises: list[metadata.Exercise], staging: Path) -> dict:
    """Run the released checks on the reference solutions in a staging copy; return where the answers went."""
    shutil.copytree(grader_dir, staging / "grader")
    shutil.copytree(kit.GRADER_DIR / "mistakes", staging / "grader" / "mistakes", ignore=_ignore(kit.GRADER_DIR))
    (staging / "solutions").mkdir()
    shutil.copy(kit.SOLUTIONS_DIR / "__init__.py", staging / "solutions" / "__init__.py")
    for exercise in exercises:  # the mistake variants name what a reference-like answer got wrong
        variants = exercise.metadata_file.parent / "mistakes.py"
        if variants.is_file():
            shutil.copy(variants, staging / "grader" / kit.CURRICULUM_DIR.name / exercise.id / "mistakes.py")
        shutil.copy(exercise.solution_file, staging / "solutions" / exercise.filename)
    target = staging / "oracle.pt"
    env = {key: value for key, value in os.environ.items() if key != "GRADE_COURSE"}  # the staged kit's own course
    env.update(PYTHONPATH=str(staging), PYTHONDONTWRITEBYTECODE="1")
    process = subprocess.run([sys.executable, "-m", "grader.instructor.release", "--record", str(target)], cwd=staging,
                             env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=3600)
    try:
        outcome = json.loads(process.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        detail = (process.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReleaseError(f"recording the reference answers failed: {detail}", status=1) from None
    if not outcome.get("ok"):
        problems = "\n".join(f"  {line}" for line in outcome.get("problems", []))
        raise ReleaseError("the reference solutions must pass every public check before a release; they did not:\n"
                           + problems, status=1)
    outcome["path"] = target
    return outcome


# the recording subprocess (runs inside the staging copy) ----------------------------------------
def _record_main(target: Path) -> dict:
    from grader.grading.orchestrate import Grader

    def recording() -> Any:
        from grader.grading.recorded_oracle import RecordingOracle

        return RecordingOracle()

    with Grader(make_oracle=recording, hidden_included=False) as grader:  # the staging copy: public checks only
        oracle = grader.prepare().oracle
        from grader.grading.checking import spec_of

        catalog = metadata.load()
        chosen = [e for e in catalog.exercises if e.check_file.exists()]
        report = grader.grade(chosen, kit.SOLUTIONS_DIR)
        from grader.probes.shared import CURVES

        for exercise_id, curves in CURVES.items():  # `grade run N --plot` draws the reference beside yours
            for function, config in curves:
                oracle.probe(exercise_id, "training_curve", exercise_id, function, config)
    problems = [f"{e.id}: {c.id}: {c.status}: {c.message}" for e in report.exercises for c in e.checks
                if c.status != "passed"]
    problems += [f"{e.id}: {e.message}" for e in report.exercises if e.status in ("error", "timeout")]
    problems += [f"internal error: {text}" for text in report.internal_errors]
    for name, module in sorted(sys.modules.items()):
        if name.startswith("grader.curriculum.") and name.endswith(".checks"):
            for attribute in vars(module).values():
                spec = spec_of(attribute) if callable(attribute) else None
                if spec is not None and spec.visibility == "hidden":
                    problems.append(f"{name}: hidden check {spec.id} survived stripping (is it defined at module level?)")
    if problems:
        return {"ok": False, "problems": problems}
    oracle.save(target)
    return {"ok": True, "answers": len(oracle.answers), "checks": sum(len(e.checks) for e in report.exercises),
            "points": {e.id: e.max_score for e in report.exercises},
            "without_checks": [e.id for e in catalog.exercises if e not in chosen]}


if __name__ == "__main__":
    if sys.argv[1:2] != ["--record"] or len(sys.argv) != 3:
        sys.exit("usage: python -m grader.instructor.release --record TARGET (used by `grade release`)")
    print(json.dumps(_record_main(Path(sys.argv[2]))))
