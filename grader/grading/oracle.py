"""Where expected values come from: the reference solutions, run in the trusted process.

Every value goes through the same codec round trip as a learner's, so both sides of a
comparison have the same types. Known-mistake variants are computed the same way.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
from types import SimpleNamespace
from typing import Any, Callable, Protocol, runtime_checkable

from grader.sandbox.codec import roundtrip


@runtime_checkable
class Oracle(Protocol):
    """The seam between checks and references: live solutions, recorded answers (a student kit) or a batch memo."""

    def expected(self, exercise: str, function: str, *args: Any, **kwargs: Any) -> Any:
        """The reference's value of `function(*args, **kwargs)`, after the codec round trip."""

    def variants(self, exercise: str, function: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Mistake id -> the value a known-mistake variant of `function` gives for the same arguments."""

    def probe(self, exercise: str, probe: str, *args: Any, **kwargs: Any) -> Any:
        """What trusted probe `probe` measures on the reference module."""

    def probe_variants(self, exercise: str, probe: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Mistake id -> what the probe measures on the reference with that mistake put in."""


class LiveOracle:
    """Computes references by calling `solutions.<exercise>` (and the mistake variants) directly."""

    def __init__(self, package: str = "solutions") -> None:
        self.package = package
        self._modules: dict[str, Any] = {}

    def module(self, exercise: str) -> Any:
        if exercise not in self._modules:
            self._modules[exercise] = _solution(self.package, exercise)
        return self._modules[exercise]

    def expected(self, exercise: str, function: str, *args: Any, **kwargs: Any) -> Any:
        return _run(getattr(self.module(exercise), function), args, kwargs)

    def variants(self, exercise: str, function: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from grader.mistakes import variants_for  # lazily: a student release ships without grader/mistakes

        found = {}
        for mistake, variant in variants_for(exercise).get(function, {}).items():
            value = _try(variant, args, kwargs)
            if value is not _FAILED:
                found[mistake] = value
        return found

    def probe(self, exercise: str, probe: str, *args: Any, **kwargs: Any) -> Any:
        from grader.probes import PROBES

        return _run(lambda *a, **k: PROBES[probe](self.module(exercise), *a, **k), args, kwargs)

    def probe_variants(self, exercise: str, probe: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from grader.mistakes import variants_for
        from grader.probes import PROBES

        from grader.grading.expect import similar

        reference = self.module(exercise)
        baseline = _try(lambda *a, **k: PROBES[probe](reference, *a, **k), args, kwargs)
        found = {}
        for function, table in variants_for(exercise).items():
            for mistake, variant in table.items():
                if mistake in found:
                    continue
                namespace = SimpleNamespace(**{k: getattr(reference, k) for k in dir(reference) if not k.startswith("__")})
                setattr(namespace, function, variant)
                value = _try(lambda *a, **k: PROBES[probe](namespace, *a, **k), args, kwargs)
                # a variant of a function the probe never calls changes nothing: it must not claim the id
                if value is not _FAILED and not similar(value, baseline, 0, 0):
                    found[mistake] = value
        return found


_FAILED = object()


def _solution(package: str, exercise: str) -> Any:
    """`solutions.<exercise>`, or the solution.py a course's own exercise folder keeps beside its checks."""
    import sys

    name = f"{package}.{exercise}"
    if package == "solutions" and name not in sys.modules:
        from grader.catalog import kit, metadata

        try:
            path = metadata.load().get(exercise).solution_file
        except KeyError:
            path = None
        if path is not None and path.parent != kit.SOLUTIONS_DIR:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            return module
    return importlib.import_module(name)


def _run(function: Callable, args: tuple, kwargs: dict) -> Any:
    return roundtrip(function(*copy.deepcopy(args), **copy.deepcopy(kwargs)))


def _try(function: Callable, args: tuple, kwargs: dict) -> Any:
    try:
        return _run(function, args, kwargs)
    except Exception:  # noqa: BLE001 - a variant that cannot run simply matches nothing
        return _FAILED


class BoundOracle:
    """An oracle fixed to one exercise, as the checks use it."""

    def __init__(self, oracle: Oracle, exercise: str) -> None:
        self._oracle = oracle
        self.exercise = exercise

    def expected(self, function: str, *args: Any, **kwargs: Any) -> Any:
        return self._oracle.expected(self.exercise, function, *args, **kwargs)

    def variants(self, function: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._oracle.variants(self.exercise, function, *args, **kwargs)

    def probe(self, probe: str, *args: Any, **kwargs: Any) -> Any:
        return self._oracle.probe(self.exercise, probe, *args, **kwargs)

    def probe_variants(self, probe: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._oracle.probe_variants(self.exercise, probe, *args, **kwargs)
