"""The pytest plugin that turns check outcomes into report entries (and supplies the fixtures)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from grader.catalog import kit
from grader.grading.checking import CheckSpec, spec_of
from grader.i18n import Text, join, mistake_label, tr
from grader.grading.outcomes import CheckOutcome, ModuleUnavailable, NotImplementedYet
from grader.reporting.report import CheckResult

SESSION = pytest.StashKey[Any]()  # the grading session (learner folder, sandbox, oracle, seed) the fixtures read
PRINTED_LINES = 3  # the learner's last printed lines shown under a failed public check
_GRADER_DIR = str(kit.GRADER_DIR)
# "path:line: SomeWarning: text" as Python's warnings module prints it
_WARNING_LINE = re.compile(r"^(?P<path>/[^:]*):(?P<line>\d+): (?P<category>[A-Za-z_]\w*): ")
_ABSOLUTE_PATH = re.compile(r"(?<![\w.~/])/(?:[\w.\-+@]+/)+([\w.\-+@]*)")




def scrub_paths(text: str | None, learner_dir: Path | None = None) -> str | None:
    """No absolute path of the grading machine: learner files by name, the folder as "the submission folder"."""
    if not text:
        return text
    if isinstance(text, Text):  # a template: scrub the values it carries, keep it translatable
        return text.map_values(lambda value: scrub_paths(value, learner_dir))
    if learner_dir is not None:
        folder = str(learner_dir).rstrip("/")
        text = text.replace(folder + "/", "").replace(folder, "the submission folder")
    return _ABSOLUTE_PATH.sub(lambda match: match.group(1) or "a folder", text)


def learner_output(text: str, learner_dir: Path | None = None, limit: int = PRINTED_LINES) -> str:
    """The last lines the learner's code printed, without warnings raised inside torch or the grader."""
    lines, skip_source = [], False
    for line in text.strip().splitlines():
        if skip_source:  # the source line Python prints under a warning, indented
            skip_source = False
            if line.startswith((" ", "\t")):
                continue
        warning = _WARNING_LINE.match(line)
        if warning and not _is_learner_file(warning["path"], learner_dir):
            skip_source = True
            continue
        if line.strip():
            lines.append(scrub_paths(line, learner_dir)[:100])
    if not lines:
        return ""
    shown = lines[-limit:]
    more = len(lines) - len(shown)
    printed = " | ".join(shown)
    return tr("…({more} more line{s}) | {printed}", more=more, s="s" if more != 1 else "", printed=printed) if more \
        else printed


def _is_learner_file(path: str, learner_dir: Path | None) -> bool:
    if learner_dir is None:
        return False
    resolved = os.path.normpath(path)
    return resolved.startswith(str(learner_dir).rstrip("/") + "/") and not resolved.startswith(_GRADER_DIR)


class RecordingModule:
    """The learner module as the checks see it: every call is noted for the check that made it.

    Notes are (function, CallResult or None): the plugin uses them to withdraw the points of the
    checks of a function whose result came from a forbidden library call (the result is not the
    learner's), and to name that call instead of the symptom.
    """

    def __init__(self, module: Any) -> None:
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "notes", [])

    def note_into(self, notes: list) -> None:
        """Note the following calls in `notes` (one list per check)."""
        object.__setattr__(self, "notes", notes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._module, name, value)

    def _note(self, function: str, run):
        try:
            result = run()
        except BaseException:
            self.notes.append((function, None))
            raise
        self.notes.append((function, result))
        return result

    def call(self, name: str, *args: Any, **kwargs: Any):
        return self._note(name, lambda: self._module.call(name, *args, **kwargs))

    def probe(self, probe: str, *args: Any, function: str, **kwargs: Any):
        return self._note(function, lambda: self._module.probe(probe, *args, function=function, **kwargs))

    def submit(self, name: str, *args: Any, **kwargs: Any):
        pending = self._note(name, lambda: self._module.submit(name, *args, **kwargs))
        self.notes.pop()  # noted again when its result arrives
        recorder = self

        class Pending:
            def result(self):
                return recorder._note(name, pending.result)

        return Pending()


def public_first(items: list) -> list:
    """Each check module's public checks before its hidden ones (otherwise in file order).

    A worker that has served a hidden check never serves a public one again (client.LearnerModule),
    so this order lets one worker serve a whole exercise. A module where a public check waits for
    a hidden one keeps its file order.
    """
    by_module: dict[Any, list] = {}
    for item in items:
        by_module.setdefault(item.module, []).append(item)
    ordered = []
    for checks in by_module.values():
        specs = {spec_of(item.function).id: spec_of(item.function) for item in checks}
        hidden = {check for check, spec in specs.items() if spec.visibility == "hidden"}
        if any(spec.visibility != "hidden" and hidden & set(spec.depends) for spec in specs.values()):
            ordered.extend(checks)
        else:
            ordered.extend(sorted(checks, key=lambda item: spec_of(item.function).visibility == "hidden"))
    return ordered


class GradingPlugin:
    """Collects one CheckResult per check; skips dependents of checks that did not pass."""

    def __init__(self, session: Any, follow_dependencies: bool = True) -> None:
        self.session = session
        self.follow_dependencies = follow_dependencies
        self.results: dict[str, list[CheckResult]] = {}
        self.load_status: dict[str, tuple[str, str]] = {}
        self._status: dict[tuple[str, str], str] = {}
        self._pending: dict[str, CheckResult] = {}
        self._notes: dict[str, list] = {}  # nodeid -> the learner calls its check made
        self._forbidden_for: dict[str, dict[str, tuple[str, ...]]] = {}  # exercise -> function -> patterns
        self._order: dict[str, int] = {}  # nodeid -> position in its file: the report keeps this order

    # hooks ----------------------------------------------------------------------------------
    def pytest_configure(self, config) -> None:
        config.stash[SESSION] = self.session
        # the plugin reads each check's exception itself; pytest's annotated failure report (~30 ms
        # per failed check, seconds per student) is never shown. --tb belongs to the terminal plugin.
        config.option.tbstyle = "no"

    def pytest_collectreport(self, report) -> None:
        if report.failed:  # a check module that does not import is the grader's bug: say so loudly
            self.session.internal_errors.append(f"could not collect {report.nodeid}: {report.longreprtext[-500:]}")

    def pytest_collection_modifyitems(self, session, config, items) -> None:
        kept = [item for item in items if spec_of(getattr(item, "function", None)) is not None]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        self._order = {item.nodeid: index for index, item in enumerate(kept)}
        items[:] = public_first(kept)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item) -> None:
        spec: CheckSpec = spec_of(item.function)
        exercise = item.module.EXERCISE
        self._forbidden_for.setdefault(exercise, dict(getattr(item.module, "FORBIDDEN_FOR", {}) or {}))
        if exercise in self.session.modules:
            self.session.modules[exercise].last_output = ""
        if exercise in self.load_status:
            self._pending[item.nodeid] = self._result(spec, "skipped", tr("the module could not be loaded"))
            pytest.skip("module not loaded")
        try:
            self.session.learner(exercise).ensure_loaded()
        except ModuleUnavailable as exc:
            self.load_status[exercise] = (exc.status, exc.message)
            result = self._result(spec, exc.status, exc.message)
            if exc.status == "timeout":
                result.timeout = getattr(exc, "kind", None) or "wall"
            self._pending[item.nodeid] = result
            pytest.skip("module not loaded")
        module = self.session.modules.get(exercise)
        if module is not None:
            if not isinstance(module, RecordingModule):
                module = self.session.modules[exercise] = RecordingModule(module)
            module.note_into(self._notes.setdefault(item.nodeid, []))
        if not self.follow_dependencies:
            return
        waiting = [dependency for dependency in spec.depends
                   if self._status.get((exercise, dependency)) != "passed"]
        if waiting:
            described = join([self._description(exercise, dependency) for dependency in waiting], quote=True)
            result = self._result(spec, "skipped", tr("waits for {checks}", checks=described))
            result.waits_for = waiting
            self._pending[item.nodeid] = result
            pytest.skip("dependency")

    def pytest_runtest_teardown(self, item, nextitem) -> None:
        """After an exercise's last check its workers are retired, before the next exercise asks for one."""
        if nextitem is not None and getattr(nextitem, "module", None) is item.module:
            return
        module = self.session.modules.get(getattr(item.module, "EXERCISE", None))
        if module is not None:
            module.close()

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

    def pytest_sessionfinish(self, session) -> None:
        for exercise, by_node in self._by_node.items():
            self.results[exercise] = [result for _, result in sorted(
                by_node.items(), key=lambda pair: self._order.get(pair[0], len(self._order)))]
        for exercise, results in self.results.items():
            self._withdraw_borrowed_results(exercise, results)
            said_once(results)
        learner_dir = getattr(self.session, "learner_dir", None)
        for results in self.results.values():
            for result in results:
                result.message = scrub_paths(result.message, learner_dir)
                result.hint = scrub_paths(result.hint, learner_dir)

    # forbidden calls ------------------------------------------------------------------------
    def _withdraw_borrowed_results(self, exercise: str, results: list[CheckResult]) -> None:
        """A function that reached a forbidden call (or whose call record was tampered with) earns
        nothing: its result is not the learner's. The forbidden-call check says so once; the
        other checks of that function lose their points with a short pointer to it."""
        patterns = self._forbidden_for.get(exercise) or {}
        notes = {result.id: self._notes.get(nodeid, []) for nodeid, result in self._by_node.get(exercise, {}).items()}
        borrowed: dict[str, list[str]] = {}
        for calls in notes.values():
            for function, call in calls:
                if call is None or function not in patterns:
                    continue
                if _tampered(call):
                    borrowed.setdefault(function, []).append("tampered")
                    continue
                if getattr(call, "monitored", False):
                    for name in call.used(*patterns[function]):
                        if name not in borrowed.setdefault(function, []):
                            borrowed[function].append(name)
        borrowed = {function: names for function, names in borrowed.items() if names}
        if not borrowed:
            return
        from grader.grading.expect import forbidden_message, hint_for

        announcer = next((r for r in results if r.mistake == "forbidden_call" and r.status != "passed"), None)
        for result in results:
            if result is announcer:
                continue
            functions = [f for f, _ in notes.get(result.id, []) if f in borrowed]
            if not functions or result.status not in ("passed", "failed"):
                continue
            function = functions[0]
            names = borrowed[function]
            result.not_counted = function
            result.points = 0.0
            if result.status == "passed" and announcer is not None:
                result.status = "failed"
                result.message = tr("not counted: {function}() is not computed by your code yet (see “{check}”)",
                                    function=function, check=announcer.description)
                result.hint, result.mistake = None, "forbidden_call"
            else:  # the symptom (a wrong value, None...) comes from the forbidden call: name the call
                result.status = "failed"
                result.message = forbidden_message(function, names)
                result.mistake = "forbidden_call" if "tampered" not in names else None
                result.hint = hint_for(result.mistake) if result.mistake else None

    # helpers --------------------------------------------------------------------------------
    @property
    def _recorded(self) -> set[str]:
        return self.__dict__.setdefault("_recorded_ids", set())

    @property
    def _by_node(self) -> dict[str, dict[str, CheckResult]]:
        return self.__dict__.setdefault("_by_node_results", {})

    def _record(self, item, result: CheckResult) -> None:
        exercise = item.module.EXERCISE
        self._recorded.add(item.nodeid)
        self._status[(exercise, result.id)] = result.status
        self.results.setdefault(exercise, []).append(result)
        self._by_node.setdefault(exercise, {})[item.nodeid] = result

    def _description(self, exercise: str, check_id: str) -> str:
        for result in self.results.get(exercise, []):
            if result.id == check_id:
                return result.description
        return check_id

    def _printed(self, exercise: str) -> str:
        """The last lines the learner's code printed during this check's last call (short)."""
        module = self.session.modules.get(exercise)
        text = module.last_output if module is not None else ""
        return learner_output(text or "", getattr(self.session, "learner_dir", None))

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
                message = exc.safe_message or tr("this hidden check did not pass: {check}", check=spec.description)
                if exc.mistake and exc.mistake not in message:
                    message = tr("{message} (it looks like a known mistake: {mistake})", message=message,
                                 mistake=mistake_label(exc.mistake))
            result = self._result(spec, exc.status, message, exc.hint, exc.mistake)
            result.not_implemented = isinstance(exc, NotImplementedYet)
            if exc.status == "timeout":
                result.timeout = getattr(exc, "kind", None) or "wall"
        elif isinstance(exc, AssertionError):
            message = str(exc).strip() or None
            result = self._result(spec, "failed", None if hidden else message)
            if result.message is None:
                result.message = tr("did not hold: {check}", check=spec.description)
        else:
            result = self._result(spec, "error", tr("the check itself could not run ({error}: {problem})",
                                                    error=type(exc).__name__, problem=str(exc)),
                                  tr("This is a problem in the grader, not in your code; please report it."))
            result.mistake = None
            self.session.internal_errors.append(f"{spec.id}: {type(exc).__name__}: {exc}")
        if spec.advisory:  # robustness beyond the contract: advice, never a lost point
            advice = result.message if result.status == "failed" else tr("could not be checked ({problem})",
                                                                          problem=result.message)
            return CheckResult(id=spec.id, description=spec.description, status="passed", points=0.0,
                               max_points=spec.points, visibility=spec.visibility, message=tr("advice: {advice}", advice=advice),
                               hint=result.hint, mistake=None, not_implemented=result.not_implemented)
        if result.status in ("failed", "error") and not hidden:
            printed = self._printed(item.module.EXERCISE)
            if printed:
                result.message = tr("{message}\nyour code printed: {printed}", message=result.message or "",
                                    printed=printed)
        if result.status in ("failed", "error") and "rng" in getattr(item, "fixturenames", ()):
            exercise = item.module.EXERCISE
            result.message = tr("{message} (random inputs; replay: grade run {exercise} --seed {seed})",
                                message=result.message or "", exercise=exercise, seed=self.session.seed)
        return result


def said_once(results: list[CheckResult]) -> None:
    """A failure message already shown under an earlier check of the exercise (a dtype check meeting the
    shape problem first) points to that check instead of repeating itself; verdict and points stay."""
    first: dict[str, CheckResult] = {}
    for result in results:
        if result.status not in ("failed", "error") or not result.message:
            continue
        key = str(result.message)
        earlier = first.setdefault(key, result)
        if earlier is not result:
            result.message = tr("the same problem as in “{check}” above", check=earlier.description)
            if result.hint == earlier.hint:
                result.hint = None


def _tampered(call: Any) -> bool:
    """The worker's record of torch calls says it was interfered with (the sandbox sets it)."""
    return bool(getattr(call, "tampered", False)) or "tampered" in (getattr(call, "calls", None) or ())
