"""Hints that lead: three tiers (the idea, where to look, the closest hint short of the line) in both
languages; no hint writes out a line of the reference solution; no hint speaks of step() or zero_grad()
in an exercise without an optimizer."""

from __future__ import annotations

import pytest

from grader import i18n
from grader.catalog import kit, metadata
from grader.authoring.hintrules import (check_hints, hints_of, leaked_lines, mentions_optimizer, problems,
                                        reference_lines, uses_optimizer)

CATALOG = metadata.load()
EXERCISES = [e for e in CATALOG.exercises if (kit.SOLUTIONS_DIR / e.filename).is_file()]
TIERS = 3


def _source(exercise) -> str:
    return (kit.SOLUTIONS_DIR / exercise.filename).read_text(encoding="utf-8")


def _hints(exercise) -> list[tuple[str, str]]:
    return hints_of(exercise, CATALOG)


def test_the_check_modules_hints_are_read():
    ex06 = next(e for e in EXERCISES if e.id == "ex06_zero_grad")
    assert len(check_hints(ex06)) >= 2


def test_the_leak_rule_sees_a_line_and_spares_the_idea():
    source = (kit.SOLUTIONS_DIR / "ex01_hypothesis.py").read_text(encoding="utf-8")
    lines = reference_lines(source, "ex01_hypothesis.py")
    assert "torch.zeros(1,requires_grad=True)" in lines
    assert leaked_lines("use `torch.zeros(1, requires_grad = True)`", lines)
    assert not leaked_lines("create W with requires_grad=True so autograd tracks it", lines)


def test_the_optimizer_rule_knows_which_exercises_have_one():
    with_optimizer = {e.id for e in EXERCISES if uses_optimizer(_source(e), e.filename)}
    assert {"ex01_hypothesis", "ex03_manual_gradient", "ex05_autograd"}.isdisjoint(with_optimizer)
    assert {"ex06_zero_grad", "ex07_linear_regression", "ex10_minibatch"} <= with_optimizer
    assert mentions_optimizer("call optimizer.zero_grad() first") and not mentions_optimizer("clear W.grad")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_hints_come_in_tiers_in_both_languages(exercise):
    assert len(exercise.hints) == TIERS, exercise.hints
    for hint in exercise.hints:
        assert i18n.localize(hint, "ko") != hint, f"no Korean for {hint!r}"
    assert len(set(exercise.hints)) == TIERS


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_no_hint_hands_over_a_line_of_the_reference(exercise):
    lines = reference_lines(_source(exercise), exercise.filename)
    leaks = {where: leaked_lines(text, lines) for where, text in _hints(exercise)}
    assert {where: found for where, found in leaks.items() if found} == {}


@pytest.mark.parametrize("exercise", [e for e in EXERCISES if not uses_optimizer(_source(e), e.filename)],
                         ids=lambda e: e.id)
def test_no_optimizer_talk_where_there_is_no_optimizer(exercise):
    talking = [where for where, text in _hints(exercise) if mentions_optimizer(text)]
    assert talking == []


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_dev_check_finds_no_hint_problem(exercise):
    assert problems(exercise, CATALOG) == []


def test_dev_check_names_a_leaked_line_and_optimizer_talk():
    import dataclasses

    ex01 = next(e for e in EXERCISES if e.id == "ex01_hypothesis")
    leaking = dataclasses.replace(ex01, hints=("use torch.zeros(1, requires_grad=True)", "then call optimizer.step()",
                                               "then call optimizer.step()"))
    found = problems(leaking, CATALOG)
    assert any("torch.zeros(1,requires_grad=True)" in p for p in found), found
    assert any("no optimizer" in p for p in found) and any("say the same" in p for p in found), found
