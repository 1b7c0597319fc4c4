"""`grade budgets`: set each exercise's CPU-time budget from the reference's measured CPU time.

The reference solutions are graded a few times in the sandbox; the median CPU time of each
exercise (all its calls, public and hidden workers) and of its longest call are recorded in
each exercise's exercise.toml as `reference_cpu` / `reference_call_cpu`, and the budget and call
timeout become MULTIPLE times those (with floors, and a budget of at least two slow calls), so a slow-but-reasonable learner version
(a Python loop over samples, float64 everywhere) still finishes.
"""

from __future__ import annotations

import math
import re
import statistics
from pathlib import Path

from grader.catalog import kit, metadata

MULTIPLE = 20
MIN_BUDGET = 10.0
MIN_CALL_TIMEOUT = 4.0


def measure(exercises: list[metadata.Exercise], repeat: int = 3) -> dict[str, tuple[float, float]]:
    """Median (exercise CPU seconds, longest call CPU seconds) of the reference, per exercise."""
    from grader.grading.orchestrate import Grader

    samples: dict[str, list[tuple[float, float]]] = {e.id: [] for e in exercises}
    with Grader() as grader, metadata.reference_folder(exercises) as references:
        for _ in range(repeat):
            report = grader.grade(exercises, references)
            for exercise_id, measured in report.cpu_seconds.items():
                samples[exercise_id].append(measured)
    return {exercise_id: (statistics.median(s[0] for s in values), statistics.median(s[1] for s in values))
            for exercise_id, values in samples.items() if values}


def limits(reference_cpu: float, reference_call_cpu: float) -> tuple[float, float]:
    """(budget, call_timeout) for a measured reference, rounded up to whole seconds."""
    call_timeout = max(MIN_CALL_TIMEOUT, math.ceil(MULTIPLE * reference_call_cpu))
    budget = max(MIN_BUDGET, math.ceil(MULTIPLE * reference_cpu), 2 * call_timeout)  # one slow call leaves room
    return float(budget), float(call_timeout)


def rewrite(text: str, reference: float, call: float) -> str:
    """An exercise.toml with the measured references and derived limits (everything else untouched)."""
    budget, call_timeout = limits(reference, call)
    text = re.sub(r"(?m)^(reference_cpu|reference_call_cpu) = .*\n", "", text)
    text = re.sub(r"(?m)^budget = .*$", f"budget = {budget:g}", text)
    return re.sub(r"(?m)^call_timeout = .*$", f"call_timeout = {call_timeout:g}\nreference_cpu = {reference:.3f}\n"
                  f"reference_call_cpu = {call:.3f}", text)


def update_files(exercises: list[metadata.Exercise], measured: dict[str, tuple[float, float]]) -> list[Path]:
    """Write the measurements into each measured exercise's own exercise.toml; returns the files written."""
    written = []
    for exercise in exercises:
        if exercise.id in measured:
            path = exercise.metadata_file
            path.write_text(rewrite(path.read_text(encoding="utf-8"), *measured[exercise.id]), encoding="utf-8")
            written.append(path)
    return written
