"""One orchestration of grading, shared by `grade run`, `grade watch`, `grade budgets`, batch and platform grading.

The order matters and is kept here only: the sandbox's zygote starts first (its warm-up overlaps
our own torch import), torch is imported once with the collector off (grader.grading.startup), the
oracle is chosen once (live references in the full kit, recorded ones in a student kit), then any
number of gradings reuse all three. Closing stops the zygote and its workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from grader.catalog.defaults import DEFAULT_SEED

if TYPE_CHECKING:
    from grader.catalog.metadata import Exercise
    from grader.grading.oracle import Oracle
    from grader.reporting.report import Report
    from grader.sandbox.client import Zygote


class Grader:
    """A warm grading pipeline: a zygote, torch and pytest imported, an oracle; `grade()` as often as needed."""

    def __init__(self, zygote: Zygote | None = None, *, make_oracle: Callable[[], Oracle] | None = None,
                 wrap_oracle: Callable[[Oracle], Oracle] | None = None, hidden_included: bool | None = None) -> None:
        """`make_oracle` replaces the default oracle, `wrap_oracle` wraps it; both run after torch is imported."""
        if zygote is None:
            from grader.sandbox import backend

            zygote = backend.start()  # before torch is imported here, so the two warm up together
        self.zygote = zygote
        self._make = make_oracle
        self._wrap = wrap_oracle
        self._oracle: Oracle | None = None
        self.hidden_included = True if hidden_included is None else hidden_included
        self._hidden_given = hidden_included is not None
        self._ready = False

    def prepare(self) -> "Grader":
        """Import torch (uncollected) and choose the oracle; done once, before the first grading."""
        if self._ready:
            return self
        from grader.grading import startup

        startup.import_torch()
        if self._make is not None:
            self._oracle = self._make()
        else:
            from grader.grading.oracle_select import default_oracle

            self._oracle, hidden_included = default_oracle()
            self.hidden_included = self.hidden_included if self._hidden_given else hidden_included
        if self._wrap is not None:
            self._oracle = self._wrap(self._oracle)
        self._ready = True
        return self

    @property
    def oracle(self) -> Oracle:
        self.prepare()
        return self._oracle  # type: ignore[return-value] - set by prepare()

    def grade(self, exercises: list[Exercise], folder: Path | str, seed: int = DEFAULT_SEED,
              follow_dependencies: bool = True) -> Report:
        """The complete report of `exercises` in `folder`, graded in confined workers."""
        self.prepare()
        from grader.grading.runner import run

        return run(exercises, Path(folder), zygote=self.zygote, seed=seed, oracle=self._oracle,
                   follow_dependencies=follow_dependencies, hidden_included=self.hidden_included)

    def close(self) -> None:
        self.zygote.close()

    def __enter__(self) -> "Grader":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
