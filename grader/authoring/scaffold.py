"""`grade dev new NAME`: a new exercise's folder, solution and stub that already pass `grade dev check`.

The skeleton is a complete small exercise (one function, a public and a hidden check, a named
known mistake with its variant and a learner-style module making it, a valid alternative, Korean
texts) so every proof `grade dev check` runs has something to prove; the teacher then replaces
the function, the checks and the texts with their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import kit, metadata, stubs

_NAME = re.compile(r"^ex(\d\d)_[a-z][a-z0-9_]*$")


class ScaffoldError(Exception):
    """The exercise cannot be created as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Scaffolded:
    folder: Path
    solution: Path
    stub: Path

    def files(self) -> list[Path]:
        return [*sorted(p for p in self.folder.rglob("*") if p.is_file()), self.solution, self.stub]


def title_of(exercise_id: str) -> str:
    """`ex12_minibatch_dataloader` -> "Minibatch dataloader"."""
    return exercise_id[5:].replace("_", " ").capitalize()


SOLUTION = '''"""{id}: {title}. (Written with `grade dev new`: replace scale() with the exercise's own functions.)"""

import torch


def scale(x: torch.Tensor, factor: float) -> torch.Tensor:
    """Return x multiplied by `factor`, as a new tensor of the same shape and dtype (x is left unchanged)."""
    ### BEGIN SOLUTION
    return x * factor
    ### END SOLUTION
'''

CHECKS = '''"""Checks for {id}: scale(x, factor) (a skeleton from `grade dev new`; see docs/authoring.md)."""

import torch

from grader.grading import expect
from grader.grading.checking import check

EXERCISE = "{id}"
X = torch.tensor([[1.0], [-2.0], [3.0]])


@check(points=1)
def test_scale_returns_tensor(learner):
    """scale returns a tensor of the shape and dtype of x"""
    value = expect.tensor(learner.call("scale", X, 2.0).value, "scale(x, 2.0)")
    expect.shape(value, tuple(X.shape), "scale(x, 2.0)")
    expect.dtype(value, torch.float32, "scale(x, 2.0)")


@check(points=2, depends=["scale_returns_tensor"])
def test_scale_values(learner, oracle):
    """scale multiplies every element by the factor"""
    value = learner.call("scale", X, 2.0).value
    expect.close(value, oracle.expected("scale", X, 2.0), "scale(x, 2.0)", variants=oracle.variants("scale", X, 2.0))


@check(points=1, visibility="hidden", depends=["scale_values"], taught_by=["scale_values"])
def test_scale_random(learner, oracle, rng):
    """scale is right on random tensors and factors"""
    for n in (1, 5, 33):
        x = torch.randn(n, 2, generator=rng)
        factor = float(torch.rand(1, generator=rng)) * 4 - 2
        value = learner.call("scale", x, factor).value
        expect.close(value, oracle.expected("scale", x, factor), "scale", variants=oracle.variants("scale", x, factor))
'''

MISTAKES = '''"""Known mistakes of {id}, as functions computing what the mistaken code returns."""

VARIANTS = {{
    "scale": {{
        "factor_added": lambda x, factor: x + factor,
    }},
}}
'''

EXERCISE_TOML = '''# {id}: everything that defines the exercise beside solutions/{id}.py (see docs/authoring.md).
title = "{title}"
points = 4
budget = 10
call_timeout = 4
hints = [
  "Scaling a tensor multiplies every one of its elements by the same number.",
  "Look at the operators a tensor supports: one of them works element by element with a Python number.",
  "Multiply, don't add: one operation between x and the factor, whose result keeps the shape and dtype of x.",
]
mistakes = ["factor_added"]

# the hint a learner reads when their result matches the mistake (shared ones: grader/curriculum/mistakes.toml)
[mistake]
factor_added = "You added the factor to x; scaling multiplies every element by it."
'''

KO_TOML = '''# ko texts, keyed by the English text (`en`, as written in the code, the check docstrings
# or an exercise.toml). `id` says where the English lives. Placeholders such as
# {{function}} must be the same in both; `{{s:.0}}` keeps an English plural placeholder out of the text.
# Update with `python -m grader.i18n.update ko`; tests/test_i18n.py checks completeness.

[[text]]
id = "{id}.title"
en = "{title}"
ko = "{title}"

[[text]]
id = "{id}.hint.1"
en = "Scaling a tensor multiplies every one of its elements by the same number."
ko = "텐서를 스케일링한다는 것은 모든 원소에 같은 수를 곱하는 것입니다."

[[text]]
id = "{id}.hint.2"
en = "Look at the operators a tensor supports: one of them works element by element with a Python number."
ko = "텐서가 지원하는 연산자를 살펴보세요: 그중 하나가 파이썬 숫자와 원소별로 계산합니다."

[[text]]
id = "{id}.hint.3"
en = "Multiply, don't add: one operation between x and the factor, whose result keeps the shape and dtype of x."
ko = "더하지 말고 곱하세요: x와 factor 사이의 연산 하나로, 결과는 x의 모양과 dtype을 그대로 유지합니다."

[[text]]
id = "{id}.statement.1"
en = "{id}: {title}. (Written with `grade dev new`: replace scale() with the exercise's own functions.)"
ko = "{id}: {title}. (`grade dev new`로 만들었습니다: scale()을 이 실습의 함수로 바꾸세요.)"

[[text]]
id = "{id}.scale.1"
en = "Return x multiplied by `factor`, as a new tensor of the same shape and dtype (x is left unchanged)."
ko = "x에 `factor`를 곱한 값을 모양과 dtype이 같은 새 텐서로 반환하세요(x는 바꾸지 않습니다)."

[[text]]
id = "{id}.mistake.factor_added"
en = "You added the factor to x; scaling multiplies every element by it."
ko = "x에 factor를 더했습니다. 스케일링은 모든 원소에 factor를 곱하는 것입니다."

[[text]]
id = "{id}.check.scale_returns_tensor"
en = "scale returns a tensor of the shape and dtype of x"
ko = "scale은 x와 모양과 dtype이 같은 텐서를 반환합니다"

[[text]]
id = "{id}.check.scale_values"
en = "scale multiplies every element by the factor"
ko = "scale은 모든 원소에 factor를 곱합니다"

[[text]]
id = "{id}.check.scale_random"
en = "scale is right on random tensors and factors"
ko = "scale은 무작위 텐서와 factor에서도 올바릅니다"
'''

MISTAKEN = '''# mistake: factor_added
"""A learner's {id} with a known mistake: `grade dev check` proves it is caught and named."""

import torch


def scale(x: torch.Tensor, factor: float) -> torch.Tensor:
    return x + factor
'''

ALTERNATIVE = '''"""A different, valid {id}: `grade dev check` proves it passes every check."""

import torch


def scale(x: torch.Tensor, factor: float) -> torch.Tensor:
    return torch.mul(x, torch.tensor(factor, dtype=x.dtype))
'''


def create(exercise_id: str, root: Path | None = None) -> Scaffolded:
    """Write grader/curriculum/<id>/, solutions/<id>.py and the generated exercises/<id>.py under `root` (the kit)."""
    root = Path(root) if root is not None else kit.KIT_ROOT
    if not _NAME.match(exercise_id):
        raise ScaffoldError(f"{exercise_id!r} is not an exercise id: use exNN_name, e.g. ex12_minibatch_dataloader "
                            "(two digits, then lower-case words joined by _)")
    folder = root / kit.CURRICULUM_DIR.relative_to(kit.KIT_ROOT) / exercise_id
    solution = root / kit.SOLUTIONS_DIR.relative_to(kit.KIT_ROOT) / f"{exercise_id}.py"
    stub = root / "exercises" / f"{exercise_id}.py"
    for path in (folder, solution):
        if path.exists():
            raise ScaffoldError(f"{path.relative_to(root)} exists already: choose another name or edit it")
    taken = [p.name for p in metadata.kit_folders(folder.parent) if p.name[2:4] == exercise_id[2:4]]
    if taken:
        raise ScaffoldError(f"exercise number {exercise_id[2:4]} is taken by {taken[0]}: `grade run "
                            f"{int(exercise_id[2:4])}` must name one exercise")
    fields = {"id": exercise_id, "title": title_of(exercise_id)}
    files = {
        folder / "__init__.py": f'"""The exercise {exercise_id}: its metadata, checks, mistake variants and translations."""\n',
        folder / metadata.EXERCISE_FILE: EXERCISE_TOML.format(**fields),
        folder / metadata.CHECKS_FILE: CHECKS.format(**fields),
        folder / "mistakes.py": MISTAKES.format(**fields),
        folder / "ko.toml": KO_TOML.format(**fields),
        folder / metadata.MISTAKEN_DIR / "factor_added.py": MISTAKEN.format(**fields),
        folder / metadata.ALTERNATIVES_DIR / "torch_mul.py": ALTERNATIVE.format(**fields),
        solution: SOLUTION.format(**fields),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    stub.parent.mkdir(parents=True, exist_ok=True)
    stub.write_text(stubs.stub_source(files[solution], stub.name), encoding="utf-8")
    return Scaffolded(folder, solution, stub)


def measure_budgets(folder: Path) -> tuple[float, float]:
    """Grade the new exercise's reference once and write its measured CPU times and budgets (`grade budgets --write`)."""
    from grader.instructor import budgets

    shared = metadata.SHARED_MISTAKES_FILE.read_text(encoding="utf-8") if metadata.SHARED_MISTAKES_FILE.is_file() else None
    exercise = metadata.build([folder], shared).exercises[0]
    measured = budgets.measure([exercise], repeat=1)
    budgets.update_files([exercise], measured)
    return measured[exercise.id]
