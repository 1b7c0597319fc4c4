"""The learner-facing tests again, with the portable backend forced (GRADE_WORKER_BACKEND=portable).

A chosen subset, to keep the suite's time in bounds: every learner command that grades (run with
its exit codes 0/1/2, watch's save → feedback, progress, reset, --plot) and Ctrl-C during start-up,
grading and watch. The emulated macOS and Windows runs (test_portable_backend.py) grade every
exercise; the CI workflow (.github/workflows/learner.yml) runs all learner tests with each backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent
SUBSET = [
    "test_learner_firstday.py::test_ctrl_c_stops_grade_run_at_once_and_leaves_no_process",
    "test_learner_firstday.py::test_unknown_names_are_one_line_with_a_did_you_mean",
    "test_learner_watch.py",
    "test_learner_progress.py",
    "test_learner_plot.py::test_a_failing_learner_run_is_one_line",
    "test_cli.py::test_solutions_pass_with_json_report",
    "test_cli.py::test_stub_fails_with_text_report",
    "test_cli.py::test_mistake_is_named_in_json",
    "test_cli.py::test_unknown_exercise_is_a_usage_error",
]


def test_learner_tests_pass_with_the_portable_backend_forced():
    env = {**os.environ, "GRADE_WORKER_BACKEND": "portable"}
    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         *(str(TESTS / node) for node in SUBSET)],
        cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=1200)
    assert process.returncode == 0, process.stdout[-5000:] + process.stderr[-2000:]
    assert " passed" in process.stdout and "skipped" not in process.stdout.splitlines()[-1], process.stdout[-500:]


def test_the_forced_backend_is_the_one_the_session_uses():
    """The switch the pass above relies on: the conftest's session backend follows it."""
    probe = ("import sys; sys.path.insert(0, 'tests'); import conftest; "
             "print(type(conftest._zygote).__name__); conftest._zygote.close()")
    names = {}
    for wanted in ("portable", "fork"):
        out = subprocess.run([sys.executable, "-c", probe], cwd=TESTS.parent, capture_output=True, text=True,
                             env={**os.environ, "GRADE_WORKER_BACKEND": wanted}, timeout=300)
        names[wanted] = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-500:]
    assert names == {"portable": "PortableWorkers", "fork": "Zygote"}
