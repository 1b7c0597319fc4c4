"""An oracle that computes each reference answer once per grading process and replays it for every student.

The checks draw their inputs from per-check seeded generators, so every student's checks ask
the oracle the same questions; only the learner's side differs. Answers are kept as plain data
under the same key the student release records them by (exercise, method, name, digest of the
arguments) and handed out as fresh copies, so a check can't change what the next student gets.
Questions whose arguments depend on a learner's output rarely repeat: the table is bounded
(least recently used answers go first), so memory stays flat in the size of the class.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any

import torch

from grader.grading.recorded_oracle import UnrecordableArgument, _OracleByAnswer, key, undecode
from grader.sandbox.codec import decode
from grader.sandbox.plain import scalars_only

MAX_ANSWERS = 4096


class MemoOracle(_OracleByAnswer):
    """Wraps an oracle (LiveOracle, RecordedOracle); same answers, each computed once."""

    def __init__(self, inner: Any, max_answers: int = MAX_ANSWERS) -> None:
        self.inner = inner
        self.max_answers = max_answers
        self.answers: OrderedDict[str, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def _answer(self, method: str, exercise: str, name: str, args: tuple, kwargs: dict) -> Any:
        try:
            entry = key(exercise, method, name, args, kwargs)  # before the call, as the recorder does
        except UnrecordableArgument:
            self.misses += 1
            return getattr(self.inner, method)(exercise, name, *args, **kwargs)
        if entry in self.answers:
            self.hits += 1
            self.answers.move_to_end(entry)
        else:
            self.misses += 1
            value = getattr(self.inner, method)(exercise, name, *args, **kwargs)
            self.answers[entry] = undecode(value)
            if len(self.answers) > self.max_answers:
                self.answers.popitem(last=False)
        # every student, the first included, gets the same fresh copy of the plain data
        return decode(fresh_copy(self.answers[entry]))


_IMMUTABLE = (str, int, float, bool, complex, bytes, type(None), torch.dtype, torch.device)


def fresh_copy(value: Any) -> Any:
    """A copy of an answer's plain data sharing nothing mutable (deepcopy's generic machinery is 5× slower)."""
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, dict):
        return {key: fresh_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return value.copy() if scalars_only(value) else [fresh_copy(item) for item in value]
    if type(value) is tuple:
        return value if scalars_only(value) else tuple(fresh_copy(item) for item in value)
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)
