"""Korean particles follow the final sound of the word before them, and the catalogs never write `이(가)`."""

from __future__ import annotations

import pytest

from grader import i18n
from grader.i18n import particles
from grader.i18n.particles import FORM_NOTATION, attach, format_template


@pytest.mark.parametrize("word, name, expected", [
    ("모델", "을", "모델을"),  # ㄹ final: 을
    ("텐서", "이", "텐서가"),  # no final: 가
    ("텐서", "가", "텐서가"),  # either form names the pair
    ("값", "은", "값은"),
    ("기울기", "는", "기울기는"),
    ("오차", "과", "오차와"),
    ("손실", "와", "손실과"),
    ("값", "으로", "값으로"),
    ("파일", "으로", "파일로"),  # ㄹ final takes 로
    ("텐서", "으로", "텐서로"),
])
def test_hangul_final_consonant_decides(word, name, expected):
    assert attach(word, name) == expected


@pytest.mark.parametrize("word, name, expected", [
    ("3", "이", "3이"), ("2", "이", "2가"), ("1", "으로", "1로"), ("0", "을", "0을"), ("6", "으로", "6으로"),
    ("10", "이", "10이"), ("100", "을", "100을"), ("1000", "은", "1000은"), ("25.6667", "이", "25.6667이"),
    ("3.0", "이", "3.0이"), ("0.25", "를", "0.25를"), ("-4", "이", "-4가"),
])
def test_digits_are_read_as_korean_numbers(word, name, expected):
    assert attach(word, name) == expected


@pytest.mark.parametrize("word, name, expected", [
    ("W", "이", "W가"), ("b", "을", "b를"), ("lr", "이", "lr이"), ("L", "으로", "L로"), ("M", "은", "M은"),
    ("MSE", "이", "MSE가"), ("model", "이", "model이"), ("loss", "을", "loss를"), ("tensor", "이", "tensor가"),
    ("sum", "과", "sum과"), ("step", "은", "step은"), ("fit(x, y)", "이", "fit(x, y)이"), ("float64", "으로", "float64로"), ("dtype", "이", "dtype이"),
    ("ex02_cost.py", "이", "ex02_cost.py가"), ("TypeError", "이", "TypeError가"), ("NaN", "을", "NaN을"),
])
def test_latin_letters_and_words_by_pronunciation(word, name, expected):
    assert attach(word, name) == expected


@pytest.mark.parametrize("word, name, expected", [
    ('"기울기"', "이", '"기울기"가'),  # quotes are skipped
    ("train_wine(\"sgd\")", "이", "train_wine(\"sgd\")이"),  # a call is read as the word before it: wine 와인
    ("mse(prediction, target)", "이", "mse(prediction, target)가"),
    ("tensor([1., 2.])", "을", "tensor([1., 2.])를"),
    ("숫자(3.0)", "을", "숫자(3.0)를"),
    ("costs[3]", "이", "costs[3]이"),
])
def test_brackets_and_quotes(word, name, expected):
    assert attach(word, name) == expected


def test_a_template_chooses_the_particle_of_each_value():
    template = "{call:이} {got:.2f|을} 반환했습니다. 파일은 {file:으로} 저장됩니다"
    assert format_template(template, {"call": "mse(p, t)", "got": 3.0, "file": "모델"}) == \
        "mse(p, t)가 3.00을 반환했습니다. 파일은 모델로 저장됩니다"
    assert format_template("{n:.3g}개", {"n": 2.0}) == "2개"  # a spec without a particle is str.format's own


def test_the_placeholders_of_a_particle_template_are_its_field_names():
    assert i18n.placeholders("{call:이} {got:.4f|을}") == {"call", "got"}


def test_localize_applies_particles_to_translated_values(monkeypatch):
    monkeypatch.setitem(i18n.catalog("ko"), "{what} returned {got}", "{what:이} {got:을} 반환했습니다")
    message = i18n.tr("{what} returned {got}", what="hypothesis(x, W, b)", got="값")
    assert i18n.localize(message, "ko") == "hypothesis(x, W, b)가 값을 반환했습니다"
    assert str(message) == "hypothesis(x, W, b) returned 값"


def test_no_catalog_writes_a_particle_as_a_form():
    for lang in i18n.LANGUAGES:
        if lang == i18n.DEFAULT:
            continue
        written = [korean for korean in i18n.catalog(lang).values() if FORM_NOTATION.search(korean)]
        assert written == [], f"{lang}.toml writes particles as a form, e.g. {written[:3]}"


def test_every_particle_spec_in_the_catalog_names_a_known_particle():
    import re
    import string

    unknown = []
    for korean in i18n.catalog("ko").values():
        for _, field, spec, _ in string.Formatter().parse(korean):
            if field is not None and spec and re.search("[가-힣]", spec) and particles.split_spec(spec)[1] is None:
                unknown.append(f"{{{field}:{spec}}}")
    assert unknown == []
