"""The pytest plugin that turns check outcomes into report entries (and supplies the fixtures)."""

from __future__ import annotations

from typing import Any

import pytest

from grader.checking import CheckSpec, spec_of
from grader.outcomes import CheckOutcome, ModuleUnavailable
from grader.report import CheckResult


class GradingPlugin:
    """Collects one CheckResult per check; skips dependents of checks that did not pass."""

    def __init__(self, session: Any, follow_dependencies: bool = True) -> None:
        self.session = session
        self.follow_dependencies = follow_dependencies
        self.results: dict[str, list[CheckResult]] = {}
        self.load_status: dict[str, tuple[str, str]] = {}
        self._status: dict[tuple[str, str], str] = {}
        self._pending: dict[str, CheckResult] = {}

    # hooks ----------------------------------------------------------------------------------
    def pytest_configure(self, config) -> None:
        config.kit_session = self.session

    def pytest_collectreport(self, report) -> None:
        if report.failed:  # a check module that does not import is the grader's bug: say so loudly
            self.session.internal_errors.append(f"could not collect {report.nodeid}: {report.longreprtext[-500:]}")

    def pytest_collection_modifyitems(self, session, config, items) -> None:
        kept = [item for item in items if spec_of(getattr(item, "function", None)) is not None]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item) -> None:
        spec: CheckSpec = spec_of(item.function)
        exercise = item.module.EXERCISE
        if exercise in self.session.modules:
            self.session.modules[exercise].last_output = ""
        if exercise in self.load_status:
            self._pending[item.nodeid] = self._result(spec, "skipped", "the module could not be loaded")
            pytest.skip("module not loaded")
        try:
            self.session.learner(exercise).ensure_loaded()
        except ModuleUnavailable as exc:
            self.load_status[exercise] = (exc.status, exc.message)
            self._pending[item.nodeid] = self._result(spec, exc.status, exc.message)
            pytest.skip("module not loaded")
        if not self.follow_dependencies:
            return
        for dependency in spec.depends:
            status = self._status.get((exercise, dependency))
            if status != "passed":
                described = self._description(exercise, dependency)
                self._pending[item.nodeid] = self._result(
                    spec, "skipped", f"waits for {described}")
                pytest.skip("dependency")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        yield
        spec: CheckSpec | None = spec_of(getattr(item, "function", None))
        if spec is None or item.nodeid in self._recorded:
            return
        if item.nodeid in self._pending:
            self._record(item, self._pending.pop(item.nodeid))
            return
        if call.when == "setup" and call.excinfo is None:
            return
        if call.when == "teardown" and call.excinfo is None:
            return
        result = self._from_call(spec, item, call)
        self._record(item, result)

    # helpers --------------------------------------------------------------------------------
    @property
    def _recorded(self) -> set[str]:
        return self.__dict__.setdefault("_recorded_ids", set())

    def _record(self, item, result: CheckResult) -> None:
        exercise = item.module.EXERCISE
        self._recorded.add(item.nodeid)
        self._status[(exercise, result.id)] = result.status
        self.results.setdefault(exercise, []).append(result)

    def _description(self, exercise: str, check_id: str) -> str:
        for result in self.results.get(exercise, []):
            if result.id == check_id:
                return f'"{result.description}"'
        return check_id

    def _printed(self, exercise: str) -> str:
        """The last lines the learner's code printed during this check's last call (short)."""
        module = self.session.modules.get(exercise)
        text = (module.last_output if module is not None else "").strip()
        if not text:
            return ""
        lines = text.splitlines()[-3:]
        return " | ".join(line[:100] for line in lines)

    @staticmethod
    def _result(spec: CheckSpec, status: str, message: str | None = None, hint: str | None = None,
                mistake: str | None = None) -> CheckResult:
        return CheckResult(id=spec.id, description=spec.description, status=status,
                           points=spec.points if status == "passed" else 0.0, max_points=spec.points,
                           visibility=spec.visibility, message=message, hint=hint, mistake=mistake)

    def _from_call(self, spec: CheckSpec, item, call) -> CheckResult:
        if call.excinfo is None:
            return self._result(spec, "passed")
        exc = call.excinfo.value
        hidden = spec.visibility == "hidden"
        if isinstance(exc, pytest.skip.Exception):
            return self._result(spec, "skipped", str(exc.msg) if hasattr(exc, "msg") else None)
        if isinstance(exc, CheckOutcome):
            message = exc.message
            if hidden and exc.status in ("failed", "error"):
                # a hidden check shows no inputs and no expected values: only what is known to be safe
                message = exc.safe_message or f"this hidden check did not pass: {spec.description}"
            result = self._result(spec, exc.status, message, exc.hint, exc.mistake)
        elif isinstance(exc, AssertionError):
            message = str(exc).strip() or None
            result = self._result(spec, "failed", None if hidden else message)
            if result.message is None:
                result.message = f"did not hold: {spec.description}"
        else:
            result = self._result(spec, "error", f"the check itself could not run ({type(exc).__name__}: {exc})",
                                  "This is a problem in the grader, not in your code; please report it.")
            result.mistake = None
            self.session.internal_errors.append(f"{spec.id}: {type(exc).__name__}: {exc}")
        if result.status in ("failed", "error") and not hidden:
            printed = self._printed(item.module.EXERCISE)
            if printed:
                result.message = (result.message or "") + f"\nyour code printed: {printed}"
        if result.status in ("failed", "error") and "rng" in getattr(item, "fixturenames", ()):
            exercise = item.module.EXERCISE
            result.message = (result.message or "") + (
                f" (random inputs; replay: grade run {exercise} --seed {self.session.seed})")
        return result
