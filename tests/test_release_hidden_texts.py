"""The student release carries no text of a hidden check in any language: not its id, description or messages.

The hidden checks are found the way the grader finds them (their `CheckSpec`, from the check
modules on disk), not the way the release's filter does, and every file of a built release is
read as bytes (catalogs in any format, the recorded answers too).
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
import tomllib
from pathlib import Path

import pytest

from grader.catalog import metadata
from grader.grading.checking import spec_of
from grader.i18n import gettext
from grader.instructor.release_texts import Hidden, filter_release, hidden_checks

from grader.instructor.release import build

CATALOG = metadata.load()
CHECKED = [e.id for e in CATALOG.exercises if e.check_file.exists()]


def kit_checks() -> dict[str, list]:
    """{exercise id: [CheckSpec, ...]} of the instructor kit, imported from the check modules on disk."""
    found = {}
    for exercise_id in CHECKED:
        spec = importlib.util.spec_from_file_location(f"_texts_check_{exercise_id}", CATALOG.get(exercise_id).check_file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found[exercise_id] = [spec_of(v) for v in vars(module).values() if inspect.isfunction(v) and spec_of(v)]
    return found


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release-texts") / "student-kit"
    build(out)
    return out


def _word(text: str) -> re.Pattern:
    return re.compile(rb"(?<![A-Za-z0-9_])" + re.escape(text.encode("utf-8")) + rb"(?![A-Za-z0-9_])")


@pytest.mark.slow
def test_no_file_of_the_release_holds_a_hidden_check_s_id_or_description(released):
    checks = kit_checks()
    public_ids = {c.id for specs in checks.values() for c in specs if c.visibility == "public"}
    hidden = [(exercise, c) for exercise, specs in checks.items() for c in specs if c.visibility == "hidden"]
    assert hidden, "the kit has hidden checks"
    needles = []
    for exercise, check in hidden:
        needles.append(_word(f"{exercise}.check.{check.id}"))
        if check.id not in public_ids:  # an id that is also a visible check's elsewhere ships legitimately
            needles.append(_word(check.id))
        for lang in ("en", "ko"):
            text = gettext(check.description, lang)
            needles.append(re.compile(re.escape(text.encode("utf-8"))))
            needles.append(re.compile(re.escape(json.dumps(text, ensure_ascii=False)[1:-1].encode("utf-8"))))
    files = [p for p in released.rglob("*") if p.is_file()]
    assert any(p.suffix == ".toml" and "[[text]]" in p.read_text(encoding="utf-8") for p in files)
    for path in files:
        raw = path.read_bytes()
        for needle in needles:
            assert not needle.search(raw), f"{path.relative_to(released)} holds {needle.pattern!r}"
    # what the visible checks need is still there, in Korean too
    texts = {text for p in files if p.suffix == ".toml" for text in _strings(tomllib.loads(p.read_text("utf-8")))}
    assert not {gettext(c.description, lang) for _, c in hidden for lang in ("en", "ko")} & texts
    visible = [c for specs in checks.values() for c in specs if c.visibility == "public"]
    translated = [c for c in visible if gettext(c.description, "ko") != c.description]
    assert translated and all(gettext(c.description, "ko") in texts for c in translated)


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


PER_EXERCISE = '''# Korean texts of ex02_cost
title = "비용"
mse_matches_pytorch = "숨김 설명 한 줄"

[[text]]
id = "ex02_cost.check.mse_matches_pytorch"
en = "mse agrees with PyTorch's own MSE"
ko = "mse는 PyTorch의 MSE와 같습니다"

[[text]]
id = "mse_matches_pytorch"
ko = "숨김"

[[text]]
id = "ex02_cost.check.mse_matches_definition"
en = "mse is the mean of the squared errors"
ko = "mse는 오차 제곱의 평균입니다"

[checks.mse_matches_pytorch]
description = "숨김 체크"

[checks.mse_matches_definition]
description = "공개 체크"

[[text]]
id = "grader/curriculum/ex02_cost/checks.py"
en = "only the hidden check says this"
ko = "숨김 메시지"

[[text]]
id = "grader/curriculum/ex02_cost/checks.py"
en = "the public check says this"
ko = "공개 메시지"

[[text]]
id = "legacy"
en = "mse agrees with PyTorch's own MSE"
ko = "설명으로만 찾는 표"

[[text]]
id = "x"
en = """a multi-line
[not a header] text"""
ko = "여러 줄"
'''


def test_the_filter_cuts_hidden_texts_from_one_catalog_or_per_exercise_ones(tmp_path):
    source = ('from grader.grading.checking import check\n\n@check(points=1)\ndef test_mse_matches_definition(learner):\n'
              '    """mse is the mean of the squared errors"""\n    raise AssertionError("the public check says this")\n\n'
              '@check(points=1, visibility="hidden", taught_by=["mse_matches_definition"])\n'
              'def test_mse_matches_pytorch(learner):\n    """mse agrees with PyTorch\'s own MSE"""\n'
              '    raise AssertionError("only the hidden check says this")\n')
    hidden = hidden_checks("ex02_cost", source, Hidden())
    assert hidden.ids == {"ex02_cost": {"mse_matches_pytorch"}}
    release = tmp_path / "kit"
    folder = release / "grader" / "curriculum" / "ex02_cost"
    folder.mkdir(parents=True)
    (folder / "checks.py").write_text(source.split("@check(points=1, visibility")[0])  # as the release strips it
    (folder / "ko.toml").write_text(PER_EXERCISE, encoding="utf-8")
    (release / "grader" / "ko.toml").write_text(PER_EXERCISE.replace("[checks.", "[ex02_cost.checks."), encoding="utf-8")
    assert filter_release(release, hidden, {"ex02_cost"}) > 0
    per_exercise = (folder / "ko.toml").read_text(encoding="utf-8")
    for secret in ("숨김", "mse_matches_pytorch", "PyTorch's own MSE", "only the hidden check", "설명으로만"):
        assert secret not in per_exercise, secret
    for kept in ("비용", "오차 제곱의 평균", "공개 체크", "공개 메시지", "여러 줄", "# Korean texts of ex02_cost"):
        assert kept in per_exercise, kept  # an honest text stays, byte for byte
    whole = (release / "grader" / "ko.toml").read_text(encoding="utf-8")
    assert "PyTorch's own MSE" not in whole and "ex02_cost.checks.mse_matches_pytorch" not in whole
    assert "공개 체크" in whole and "오차 제곱의 평균" in whole
