"""`grade dev check [EX...]`: prove, per exercise, what the kit's own test suite proves for the built-in ones.

For each exercise: its solution passes every check at full marks; the generated stub fails every
check; every learner-style module in its `mistaken/` folder is caught and its mistake named; every
module in its `alternatives/` passes; every text it shows has a translation in every shipped
language; its hints lead without writing out a line of the solution; its budgets come from a measured reference; its student release carries nothing hidden;
its nbgrader notebook builds. Each failed proof is one line that says what to fix.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from grader.catalog import kit, metadata, stubs


@dataclass
class Proof:
    """One proof about one exercise: passed, failed (with what to fix) or skipped (with why)."""

    name: str
    problems: list[str] = field(default_factory=list)
    skipped: str | None = None

    @property
    def passed(self) -> bool:
        return not self.problems and self.skipped is None


@dataclass
class ExerciseProofs:
    exercise: metadata.Exercise
    proofs: list[Proof] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(proof.problems for proof in self.proofs)


CORPUS_KINDS = {metadata.MISTAKEN_DIR: "mutants", metadata.ALTERNATIVES_DIR: "alternatives"}


def learner_samples(exercise: metadata.Exercise, kind: str, corpus: bool = True) -> list[Path]:
    """The learner-style modules of the exercise folder's `mistaken/` or `alternatives/`, and (in the
    repository) those of tests/corpus/mutants|alternatives/<exercise>/."""
    from grader.catalog import kit

    folders = [exercise.metadata_file.parent / kind]
    if corpus:
        folders.append(kit.KIT_ROOT / "tests" / "corpus" / CORPUS_KINDS[kind] / exercise.id)
    return [path for folder in folders if folder.is_dir() for path in sorted(folder.glob("*.py"))]


def declared_mistake(path: Path) -> str:
    """`# mistake: <id>` at the top of a mistaken module, else its file name."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        if key.strip() == "mistake" and value.strip():
            return value.strip()
    return path.stem


@dataclass
class Checker:
    """Runs the proofs with one warm grading pipeline for every exercise."""

    grade: Callable  # grade(exercises, folder) -> Report
    corpus: bool = True  # also prove the repository's tests/corpus modules of the exercise

    def prove(self, exercise: metadata.Exercise) -> ExerciseProofs:
        result = ExerciseProofs(exercise)
        for name, proof in (("the reference solution passes every check at full marks", self._solution),
                            ("the generated stub fails every check", self._stub),
                            ("every mistaken/ module is caught and its mistake named", self._mistaken),
                            ("every alternatives/ module passes", self._alternatives),
                            ("every text is translated in every shipped language", self._texts),
                            ("its hints lead without handing over a line", self._hints),
                            ("the budgets come from a measured reference", self._budgets),
                            ("the student release carries nothing hidden", self._release),
                            ("its nbgrader notebook builds", self._notebook)):
            outcome = Proof(name)
            try:
                proof(exercise, outcome)
            except Exception as exc:  # noqa: BLE001 - a broken exercise is a finding, not a crash of the command
                outcome.problems.append(f"could not be checked: {type(exc).__name__}: {exc}")
            result.proofs.append(outcome)
        return result

    # the proofs --------------------------------------------------------------------------
    def _staged(self, exercise: metadata.Exercise, source: str) -> Iterator[Path]:
        with tempfile.TemporaryDirectory(prefix="kit-dev-check-") as folder:
            (Path(folder) / exercise.filename).write_text(source, encoding="utf-8")
            yield Path(folder)

    def _graded(self, exercise: metadata.Exercise, source: str):
        for folder in self._staged(exercise, source):
            report = self.grade([exercise], folder)
            if report.internal_errors:
                raise RuntimeError("; ".join(report.internal_errors)[:300])
            return report.exercises[0]

    def _solution(self, exercise: metadata.Exercise, proof: Proof) -> None:
        if not exercise.check_file.is_file():
            proof.problems.append(f"no checks: write {exercise.id}/{metadata.CHECKS_FILE}")
            return
        graded = self._graded(exercise, exercise.solution_file.read_text(encoding="utf-8"))
        for check in graded.checks:
            if check.status != "passed":
                proof.problems.append(f"check {check.id} is {check.status} on the solution: {check.message}")
        if not graded.checks:
            proof.problems.append(f"no check ran: {graded.message}")
        if graded.max_score != exercise.points:
            proof.problems.append(f"the checks award {graded.max_score:g} points, exercise.toml says points = "
                                  f"{exercise.points:g}")
        elif graded.score != graded.max_score:
            proof.problems.append(f"the solution scores {graded.score:g}/{graded.max_score:g}")
        if not any(c.visibility == "hidden" for c in graded.checks):
            proof.problems.append("no hidden check: add one (visibility=\"hidden\", taught_by=[...]) so a "
                                  "release can't be passed by fitting the public checks")

    def _stub(self, exercise: metadata.Exercise, proof: Proof) -> None:
        stub = stubs.stub_source(exercise.solution_file.read_text(encoding="utf-8"), exercise.filename)
        if not stubs.solution_regions(exercise.solution_file.read_text(encoding="utf-8"), exercise.filename):
            proof.problems.append("the solution has no ### BEGIN SOLUTION / ### END SOLUTION region")
        committed = kit.KIT_ROOT / "exercises" / exercise.filename
        if committed.is_file() and committed.read_text(encoding="utf-8") != stub:
            proof.problems.append(f"exercises/{exercise.filename} is not the stub of the current solution "
                                  "(out of date or edited): run `grade stubs`")
        graded = self._graded(exercise, stub)
        for check in graded.checks:
            if check.status == "passed":
                proof.problems.append(f"check {check.id} passes on the untouched stub: it proves nothing")

    def _mistaken(self, exercise: metadata.Exercise, proof: Proof) -> None:
        from grader.grading import known_errors

        samples = learner_samples(exercise, metadata.MISTAKEN_DIR, self.corpus)
        if not samples:
            proof.skipped = (f"no {metadata.MISTAKEN_DIR}/ modules (add learner-style modules, each with one known "
                             "mistake and a `# mistake: <id>` first line)")
            return
        for path in samples:
            mistake = declared_mistake(path)
            if mistake != "none" and mistake not in exercise.mistakes and mistake not in known_errors.MISTAKES:
                proof.problems.append(f"{path.name}: mistake {mistake!r} is not in the exercise's `mistakes` (nor "
                                      "an exception every exercise recognises)")
                continue
            graded = self._graded(exercise, path.read_text(encoding="utf-8"))
            if graded.score >= graded.max_score:
                proof.problems.append(f"{path.name} passes every check: nothing catches {mistake}")
            elif mistake != "none" and mistake not in {c.mistake for c in graded.checks}:
                named = sorted({c.mistake for c in graded.checks if c.mistake})
                proof.problems.append(f"{path.name} is caught but not named {mistake!r} (named: {named or 'nothing'});"
                                      " give a check the variant (mistakes.py) or pass mistake= to expect.fail")

    def _alternatives(self, exercise: metadata.Exercise, proof: Proof) -> None:
        samples = learner_samples(exercise, metadata.ALTERNATIVES_DIR, self.corpus)
        if not samples:
            proof.skipped = f"no {metadata.ALTERNATIVES_DIR}/ modules (add valid solutions written differently)"
            return
        for path in samples:
            graded = self._graded(exercise, path.read_text(encoding="utf-8"))
            failing = [f"{c.id} ({c.status})" for c in graded.checks if c.status != "passed"]
            if failing:
                proof.problems.append(f"{path.name} is a valid solution but fails {', '.join(failing)}")

    def _texts(self, exercise: metadata.Exercise, proof: Proof) -> None:
        from grader import i18n
        from grader.i18n.sources import texts_by_owner

        texts = texts_by_owner(None).get(exercise.id, [])  # an exercise's texts never come from the CLI's help
        for lang in i18n.LANGUAGES:
            if lang == i18n.DEFAULT:
                continue
            known = i18n.catalog(lang)
            missing = [english for _, english in texts if english not in known]
            for english in missing[:5]:
                proof.problems.append(f"no {lang} text for {english[:70]!r} (run `python -m grader.i18n.update {lang}`,"
                                      f" then fill in {exercise.id}/{lang}.toml)")
            if len(missing) > 5:
                proof.problems.append(f"... and {len(missing) - 5} more {lang} texts missing")

    def _hints(self, exercise: metadata.Exercise, proof: Proof) -> None:
        from grader.authoring import hintrules

        proof.problems.extend(hintrules.problems(exercise, metadata.load()))

    def _budgets(self, exercise: metadata.Exercise, proof: Proof) -> None:
        if exercise.reference_cpu is None or exercise.reference_call_cpu is None:
            proof.problems.append(f"no measured reference CPU time: run `grade budgets --write {exercise.id}`")

    def _release(self, exercise: metadata.Exercise, proof: Proof) -> None:
        from grader.grading.checking import spec_of
        from grader.instructor.release import stage_grader, strip_hidden

        with tempfile.TemporaryDirectory(prefix="kit-dev-release-") as work:
            staged = Path(work) / "grader"
            stage_grader(staged, [exercise])
            folder = staged / "curriculum" / exercise.id
            for name in metadata.INSTRUCTOR_ONLY:
                if (folder / name).exists():
                    proof.problems.append(f"the release would ship {exercise.id}/{name}")
            if not exercise.check_file.is_file():
                return
            text, _ = strip_hidden(exercise.check_file.read_text(encoding="utf-8"), f"{exercise.id}/checks.py")
            namespace: dict = {}
            exec(compile(text, f"{exercise.id}/checks.py (released)", "exec"), namespace)  # noqa: S102 - trusted checks
            left = [spec.id for spec in map(spec_of, namespace.values()) if spec and spec.visibility == "hidden"]
            if left:
                proof.problems.append(f"hidden checks survive stripping (define them at module level): {left}")
        solution = exercise.solution_file.read_text(encoding="utf-8")
        stub = stubs.stub_source(solution, exercise.filename)
        leaked = [body for body in stubs.solution_bodies(solution, exercise.filename) if body.strip() and body in stub]
        if leaked:
            proof.problems.append("the stub still holds a solution body (keep answers between the markers)")

    def _notebook(self, exercise: metadata.Exercise, proof: Proof) -> None:
        try:
            import nbformat  # noqa: F401
            import nbgrader  # noqa: F401
        except ImportError:
            proof.skipped = "nbgrader is not installed (pip install -e \".[nbgrader]\"): the notebook was not built"
            return
        from grader.instructor.nbgrader_course import build

        with tempfile.TemporaryDirectory(prefix="kit-dev-nbgrader-") as course:
            written = build(Path(course) / "course", [exercise], course_id="dev-check", timeout=60, force=True)
            notebook = Path(course) / "course" / "source" / exercise.id / f"{exercise.id}.ipynb"
            if notebook not in written or not notebook.is_file():
                proof.problems.append("nbgrader build wrote no notebook")
            else:
                nbformat.read(str(notebook), as_version=4)  # a valid notebook


def render(result: ExerciseProofs) -> list[str]:
    """The lines `grade dev check` prints for one exercise."""
    lines = [f"{'ok  ' if result.passed else 'FAIL'} {result.exercise.id}"]
    for proof in result.proofs:
        if proof.problems:
            lines.append(f"  ✗ {proof.name}")
            lines.extend(f"      {problem}" for problem in proof.problems)
        elif proof.skipped:
            lines.append(f"  - {proof.name}: skipped, {proof.skipped}")
        else:
            lines.append(f"  ✓ {proof.name}")
    return lines
