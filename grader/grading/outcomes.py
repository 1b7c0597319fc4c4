"""What can happen to a check, as exceptions the checks raise and the plugin turns into verdicts."""

from __future__ import annotations


class CheckOutcome(Exception):
    """Base of every outcome a check reports on purpose."""

    status = "error"

    def __init__(self, message: str, *, hint: str | None = None, mistake: str | None = None,
                 safe_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.mistake = mistake
        self.safe_message = safe_message


class Failure(CheckOutcome):
    """The learner's result is wrong. `safe_message` is what a hidden check may show."""

    status = "failed"


class LearnerError(CheckOutcome):
    """The learner's code raised, crashed or returned something unreadable."""

    status = "error"


class NotImplementedYet(Failure):
    """The stub still raises NotImplementedError."""


class LearnerTimeout(CheckOutcome):
    """The learner's code ran past its deadline and was stopped; `kind` is "cpu" or "wall"."""

    status = "timeout"

    def __init__(self, message: str, *, kind: str = "cpu", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind


class ModuleUnavailable(CheckOutcome):
    """The learner's module could not be loaded at all (status `error` or `timeout`)."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status
