"""Pick the oracle: the live reference solutions in the full kit, recorded values in a student release."""

from __future__ import annotations

from typing import Any

from grader.catalog import kit


def default_oracle() -> tuple[Any, bool]:
    """(oracle, hidden checks included?)."""
    recorded = kit.KIT_ROOT / kit.RECORDED_ORACLE
    if recorded.exists() and not kit.has_solutions():
        from grader.grading.recorded_oracle import RecordedOracle

        return RecordedOracle.load(recorded), False
    from grader.grading.oracle import LiveOracle

    return LiveOracle(), True
