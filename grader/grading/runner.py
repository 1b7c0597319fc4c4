"""Run the checks of selected exercises against one learner folder and build the report."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grader.catalog import kit
from grader.catalog.defaults import DEFAULT_SEED
from grader.catalog.metadata import CHECKS_FILE, Exercise
from grader.grading import startup
from grader.reporting.report import Report, build_exercise, build_report
from grader.sandbox.client import LearnerModule, Zygote

if TYPE_CHECKING:  # the oracle module imports torch; run() imports it uncollected (grader.grading.startup)
    from grader.grading.oracle import Oracle


@dataclass
class GradingSession:
    """What the fixtures need: the learner folder, the sandbox, the oracle and the seed."""

    learner_dir: Path
    exercises: dict[str, Exercise]
    zygote: Zygote
    oracle: Oracle
    seed: int
    modules: dict[str, LearnerModule] = field(default_factory=dict)
    internal_errors: list[str] = field(default_factory=list)

    def learner(self, exercise_id: str) -> LearnerModule:
        if exercise_id not in self.modules:
            exercise = self.exercises[exercise_id]
            self.modules[exercise_id] = LearnerModule(
                zygote=self.zygote, path=self.learner_dir / exercise.filename, name=exercise_id,
                budget=exercise.budget, call_timeout=exercise.call_timeout, monitor=bool(exercise.forbidden))
        return self.modules[exercise_id]

    def close(self) -> None:
        for module in self.modules.values():
            module.close()


def pytest_args(check_files: list[Path]) -> list[str]:
    """pytest options isolated from any project configuration around the kit."""
    return [
        *map(str, check_files),
        "-c", str(kit.PYTEST_INI),
        "--rootdir", str(kit.CURRICULUM_DIR),
        "-p", "no:terminal", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:xdist",
        "-p", "no:warnings", "-p", "no:unraisableexception", "-p", "no:threadexception",
        "-p", "no:faulthandler", "-p", "no:logging", "-p", "no:doctest", "-p", "no:junitxml",
        "-p", "no:pastebin", "-p", "no:stepwise", "-p", "no:lsp", "--capture=no",
        "-o", f"python_files={CHECKS_FILE}", "-o", "python_functions=test_*",
        "--noconftest",  # only the kit's own check modules: no conftest.py picked up from disk
    ]


def run(exercises: list[Exercise], learner_dir: Path, *, zygote: Zygote, seed: int = DEFAULT_SEED,
        oracle: Oracle | None = None, follow_dependencies: bool = True, hidden_included: bool = True) -> Report:
    """Grade `exercises` in `learner_dir`; the zygote must have been started before torch was imported."""
    startup.import_torch()  # once: overlaps with the zygote's own warm-up, which the first check waits for
    import pytest

    from grader.grading.oracle import LiveOracle
    from grader.grading import fixtures
    from grader.grading.plugin import GradingPlugin

    from grader.sandbox.confine import make_undumpable

    make_undumpable()  # learner code must not ptrace us or write our memory through /proc
    session = GradingSession(Path(learner_dir).resolve(), {e.id: e for e in exercises}, zygote,
                             oracle or LiveOracle(), seed)
    plugin = GradingPlugin(session, follow_dependencies)
    check_files = [e.check_file for e in exercises if e.check_file.exists()]
    import torch

    torch.set_num_threads(1)  # tiny reference runs; a second OpenMP thread only spins on a busy machine
    confinement: set[str] = set()
    held: list[set[str]] = []
    cpu: dict[str, tuple[float, float]] = {}
    try:
        if check_files:
            sink = io.StringIO()
            with contextlib.redirect_stdout(sink), _quiet_stderr(), _no_plugin_autoload():
                pytest.main(pytest_args(check_files), plugins=[plugin, fixtures])
    finally:
        held = [set(module.layers) for module in session.modules.values() if module.layers is not None]
        confinement = set.intersection(*held) if held else set()  # what held for every worker
        cpu = {exercise: (module.spent, module.longest_call) for exercise, module in session.modules.items()}
        session.close()
    results = []
    for exercise in exercises:
        load_status, message = plugin.load_status.get(exercise.id, (None, None))
        if not plugin.results.get(exercise.id) and session.internal_errors:
            from grader.i18n import tr

            message = tr("the grader's checks for this exercise could not be loaded (a problem in the grader, not your code)")
        results.append(build_exercise(exercise.id, exercise.title, plugin.results.get(exercise.id, []),
                                      load_status, message))
    layers = sorted(confinement) if held else zygote.layers()
    return build_report(results, seed, hidden_included, module_paths=[session.learner_dir / e.filename for e in exercises],
                        confinement=layers, internal_errors=session.internal_errors, cpu_seconds=cpu)


@contextlib.contextmanager
def _no_plugin_autoload():
    """pytest must load only the plugins the kit names, not whatever is installed (or planted)."""
    saved = {key: os.environ.get(key) for key in ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_PLUGINS", "PYTEST_ADDOPTS")}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PYTEST_PLUGINS", None)
    os.environ.pop("PYTEST_ADDOPTS", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _quiet_stderr():
    """pytest and torch must not write to our stderr (nbgrader scores stderr as a failure)."""
    sink = io.StringIO()
    with contextlib.redirect_stderr(sink):
        yield
    if os.environ.get("GRADE_DEBUG"):
        print(sink.getvalue(), file=__import__("sys").__stderr__)
