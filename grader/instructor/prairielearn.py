"""`grade prairielearn OUT_DIR`: an externally graded PrairieLearn question, and its grading entry point.

PrairieLearn's external grader mounts the question's `tests/` folder at /grade/tests, the
student's files at /grade/student, runs the entry point in the grader image and reads
/grade/results/results.json. `GRADE_ROOT` relocates /grade (the tests use a temporary root).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from pathlib import Path

from grader.catalog import metadata
from grader.instructor.bundle import BundleError, close_kit, kit_files, pip_lines
from grader.instructor.platform import BUNDLE_FILE, Graded, Settings, check_lines, grade_submission

IMAGE = "torch-exercise-kit-grader"

RUN_SH = """#!/usr/bin/env bash
# PrairieLearn's external grader runs this: /grade/student -> /grade/results/results.json
ROOT="${GRADE_ROOT:-/grade}"
PYTHON="${KIT_PYTHON:-python3}"
mkdir -p "$ROOT/results"
{
""" + close_kit("$ROOT/tests") + """} 2>/dev/null || true
cd "$ROOT/tests/kit" || exit 1
exec "$PYTHON" -m grader.instructor.prairielearn
"""

DOCKERFILE = """# The grader image for the kit's questions: Python, a CPU build of torch, the grader's requirements.
# Build and push it, then name it in info.json ("externalGradingOptions.image"):
#   docker build -t YOUR_ORG/{image} . && docker push YOUR_ORG/{image}
FROM python:3.12-slim
{pip}
"""


def question_html(names: list[str]) -> str:
    return (
        "<pl-question-panel>\n"
        "  <p>Upload your exercise modules. They are graded by the kit's checks, public and hidden.</p>\n"
        "</pl-question-panel>\n\n"
        f'<pl-file-upload file-names="{", ".join(names)}"></pl-file-upload>\n\n'
        "<pl-submission-panel>\n"
        "  <pl-external-grader-results></pl-external-grader-results>\n"
        "  <pl-file-preview></pl-file-preview>\n"
        "</pl-submission-panel>\n"
    )


def info_json(selected: list[metadata.Exercise], timeout: int) -> dict:
    ids = [e.id for e in selected]
    title = selected[0].title if len(selected) == 1 else f"PyTorch exercises {ids[0][:4]}–{ids[-1][:4]}"
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, "torch-exercise-kit/" + "/".join(ids))),
        "title": title,
        "topic": "PyTorch",
        "tags": ["torch-exercise-kit", *ids],
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {"enabled": True, "image": IMAGE, "entrypoint": "/grade/tests/run.sh",
                                   "timeout": timeout},
    }


def build(out: Path, exercises: list[str], *, seed: int, allow_unconfined: bool = False, force: bool = False) -> Path:
    """Write the question folder: info.json, question.html, tests/ (entry point, settings, kit) and a Dockerfile."""
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not force:
        raise BundleError(f"{out} exists and is not empty (use --force to replace it)")
    selected = metadata.resolve(metadata.load(), exercises)
    files = kit_files()
    if out.exists():
        shutil.rmtree(out)
    tests = out / "tests"
    tests.mkdir(parents=True)
    for source, name in files:
        target = tests / "kit" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    settings = Settings([e.id for e in selected], seed, allow_unconfined)
    (tests / BUNDLE_FILE).write_text(json.dumps(settings.to_json(), indent=2) + "\n", encoding="utf-8")
    (tests / "run.sh").write_text(RUN_SH, encoding="utf-8")
    (tests / "run.sh").chmod(0o755)
    timeout = int(min(600, 60 + 4 * sum(e.budget for e in selected)))
    (out / "info.json").write_text(json.dumps(info_json(selected, timeout), indent=2) + "\n", encoding="utf-8")
    (out / "question.html").write_text(question_html([e.filename for e in selected]), encoding="utf-8")
    (out / "Dockerfile").write_text(DOCKERFILE.replace("{image}", IMAGE).replace("{pip}", "RUN " + pip_lines(
        "python -m pip").strip().replace("\n", " && \\\n    ")) + "\n", encoding="utf-8")
    return out


def results(graded: Graded) -> dict:
    """PrairieLearn's results.json: gradable, score in [0, 1], message, output, tests[] (name, points, max_points, message, output)."""
    if graded.refused:
        return {"gradable": False, "score": 0.0, "message": "This submission could not be graded: the grader cannot "
                "confine submitted code in this container. Nothing was recorded against you.",
                "output": "", "tests": []}
    report = graded.report
    tests = [{
        "name": f"{exercise.id}: {check.description}",
        "description": "hidden check" if check.visibility != "public" else "public check",
        "points": check.points,
        "max_points": check.max_points,
        "message": check_lines(exercise, check),
        "output": "",
    } for exercise in report.exercises for check in exercise.checks]
    score = report.score / report.max_score if report.max_score else 0.0
    message = graded.problem or f"{report.score:g}/{report.max_score:g} points"
    return {"gradable": True, "score": round(min(max(score, 0.0), 1.0), 6), "message": message,
            "output": graded.text, "tests": tests}


def main() -> None:
    root = Path(os.environ.get("GRADE_ROOT", "/grade"))
    settings = Settings.load(root / "tests" / BUNDLE_FILE)
    graded = grade_submission(root / "student", settings)
    data = results(graded)
    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    from grader.instructor.batch import atomic_write

    atomic_write(target, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"graded: score {data['score']}; results in {target}")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
