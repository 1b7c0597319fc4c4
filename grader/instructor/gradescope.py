"""`grade gradescope OUT.zip`: a Gradescope autograder, and its entry point (`run_autograder` runs `main`).

Gradescope unzips the bundle into /autograder/source, runs `setup.sh` once to build the image,
then for each submission copies `run_autograder` to /autograder and runs it; the student's
files are in /autograder/submission and the result goes to /autograder/results/results.json.
`AUTOGRADER_ROOT` relocates /autograder (the tests run the entry point under a temporary root).
"""

from __future__ import annotations

import json
import os
import sys
import time
import zipfile
from pathlib import Path

from grader.instructor.bundle import FIND_PYTHON, BundleError, close_kit, kit_files, pip_lines
from grader.instructor.platform import BUNDLE_FILE, Graded, Settings, check_lines, grade_submission

HIDDEN_VISIBILITIES = ("after_published", "hidden", "after_due_date")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
""" + FIND_PYTHON + """
"$PY" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --no-cache-dir --upgrade pip
""" + "{pip}" + """
# The kit (checks, reference solutions) stays in $ROOT/source/kit, readable by root only but for its
# data sets: learner code runs in confined workers under a uid of its own, which can neither read it
# nor write the results.
""" + close_kit("$ROOT/source")

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission: /autograder/submission -> /autograder/results/results.json
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${KIT_PYTHON:-$ROOT/venv/bin/python}"
mkdir -p "$ROOT/results"
cd "$ROOT/source/kit" || exit 1
exec "$PYTHON" -m grader.instructor.gradescope
"""


def build(out: Path, exercises: list[str], *, seed: int, hidden_visibility: str = "after_published",
          allow_unconfined: bool = False) -> Path:
    """Write the autograder zip: setup.sh, run_autograder, kit_bundle.json and kit/ at its root."""
    if hidden_visibility not in HIDDEN_VISIBILITIES:
        raise BundleError(f"hidden checks' visibility must be one of {', '.join(HIDDEN_VISIBILITIES)}")
    settings = Settings(exercises, seed, allow_unconfined, hidden_visibility)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as bundle:
        _add(bundle, "setup.sh", SETUP_SH.replace("{pip}", pip_lines('"$ROOT/venv/bin/python" -m pip')), 0o755)
        _add(bundle, "run_autograder", RUN_AUTOGRADER, 0o755)
        _add(bundle, BUNDLE_FILE, json.dumps(settings.to_json(), indent=2) + "\n", 0o644)
        for source, name in kit_files():
            _add(bundle, f"kit/{name}", source.read_bytes(), 0o644)
    os.replace(temporary, out)
    return out


def _add(bundle: zipfile.ZipFile, name: str, data: str | bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)


def results(graded: Graded, settings: Settings, seconds: float) -> dict:
    """Gradescope's results.json: score, output, stdout_visibility, tests[] (name, score, max_score, status, output, visibility)."""
    if graded.refused:
        return {"score": 0.0, "execution_time": round(seconds, 1), "stdout_visibility": "hidden", "tests": [],
                "output": "This submission could not be graded: the autograder cannot confine submitted code "
                          "in this container. Your instructor has been told; nothing was recorded against you."}
    report = graded.report
    tests = []
    for exercise in report.exercises:
        for check in exercise.checks:
            hidden = check.visibility != "public"
            tests.append({
                "name": f"{exercise.id}: {check.description}",
                "number": exercise.id[2:4],
                "score": check.points,
                "max_score": check.max_points,
                "status": "passed" if check.status == "passed" else "failed",
                "output": check_lines(exercise, check),
                "visibility": settings.hidden_visibility if hidden else "visible",
            })
    output = graded.text if graded.problem is None else f"{graded.problem}\n\n{graded.text}"
    hidden_lines = [t for t in tests if t["visibility"] != "visible"]
    if hidden_lines:  # the overview would tell hidden results before they are published
        output = _public_overview(graded, report)
    return {"score": report.score, "execution_time": round(seconds, 1), "output": output,
            "stdout_visibility": "hidden", "visibility": "visible", "tests": tests}


def _public_overview(graded: Graded, report) -> str:
    lines = [graded.problem, ""] if graded.problem else []
    for exercise in report.exercises:
        public = [c for c in exercise.checks if c.visibility == "public"]
        passed = sum(c.status == "passed" for c in public)
        lines.append(f"{exercise.id}: {passed}/{len(public)} public checks passed"
                     + (f" ({exercise.message})" if exercise.message and exercise.status in ("error", "timeout") else ""))
    lines.append("Hidden checks are graded too; their results appear when the grades are published.")
    return "\n".join(lines)


def main() -> None:
    started = time.monotonic()
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    settings = Settings.load(root / "source" / BUNDLE_FILE)
    graded = grade_submission(root / "submission", settings)
    data = results(graded, settings, time.monotonic() - started)
    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    from grader.instructor.batch import atomic_write

    atomic_write(target, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"graded: {data['score']:g} points; results in {target}")
    code = 1 if graded.refused else 0
    sys.stdout.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
