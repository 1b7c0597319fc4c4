"""A pytest plugin for grading many submissions: no source-annotated tracebacks for failed checks.

The kit's plugin reads each check's exception itself (`call.excinfo`) and never shows pytest's
failure report to anyone; building that report (reading, compiling and walking the check's
source for every frame) costs ~30 ms per failed check, seconds per student. `--tb` belongs to
the terminal plugin the runner leaves out, so the option is set directly.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config) -> None:
    config.option.tbstyle = "no"


def install() -> None:
    """Make the runner's pytest load this plugin (in this process; idempotent)."""
    from grader import runner

    original = getattr(runner, "pytest_args", None)
    if original is None or getattr(original, "fast_failures", False):
        return

    def pytest_args(check_files):
        return [*original(check_files), "-p", __name__]

    pytest_args.fast_failures = True  # type: ignore[attr-defined]
    runner.pytest_args = pytest_args
