"""Exercise statements in Korean from one source: the reference solution's docstrings, paragraph by paragraph
through the catalog; the stub stays generated from the solution, English by default."""

from __future__ import annotations

import ast
import re
import shutil

import pytest
from click.testing import CliRunner

from grader import i18n
from grader.catalog import kit, metadata, stubs
from grader.cli.group import main
from grader.i18n.statements import display_width, paragraphs, translate_source

HANGUL = re.compile("[가-힣]")
SOLUTIONS = stubs.solution_files(kit.SOLUTIONS_DIR)


def _code_without_docstrings(source: str) -> str:
    tree = ast.parse(source)
    for node in [tree, *ast.walk(tree)]:
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            body[0] = ast.Pass()
    for node in ast.walk(tree):  # the raise's message is translated too
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            node.exc.args = []
    return ast.dump(tree)


def test_every_statement_paragraph_has_korean():
    table = i18n.catalog("ko")
    missing = [f"{path.stem}.{where}.{number}" for path in SOLUTIONS
               for where, number, english in paragraphs(path.read_text(encoding="utf-8"), path.name)
               if not table.get(english)]
    assert missing == []


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_a_korean_stub_states_the_exercise_in_korean_and_keeps_the_code(solution):
    source = solution.read_text(encoding="utf-8")
    english = stubs.stub_source(source, solution.name)
    korean = stubs.stub_source(source, solution.name, "ko")
    assert english == (kit.KIT_ROOT / "exercises" / solution.name).read_text(encoding="utf-8")  # the default
    assert _code_without_docstrings(korean) == _code_without_docstrings(english)
    tree = ast.parse(korean)
    documented = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and ast.get_docstring(n))]
    for node in documented:
        assert HANGUL.search(ast.get_docstring(node)), getattr(node, "name", "module")
    assert korean.count("TODO(") == english.count("TODO(") and "docstring에 적힌 대로" in korean
    widest = max(display_width(line) for line in korean.splitlines() if HANGUL.search(line))
    assert widest <= 100  # wrapped by display columns, Hangul counted twice


def test_translation_through_an_empty_catalog_changes_nothing():
    for solution in SOLUTIONS:
        source = solution.read_text(encoding="utf-8")
        assert translate_source(source, {}, solution.name) == source


def test_a_changed_english_paragraph_falls_back_to_english_and_is_reported(monkeypatch):
    source = (kit.SOLUTIONS_DIR / "ex02_cost.py").read_text(encoding="utf-8")
    changed = source.replace("Return Σ (target − prediction)² as a 0-dim tensor.", "Return the SSE as a 0-dim tensor.")
    korean = stubs.stub_source(changed, "ex02_cost.py", "ko")
    assert "Return the SSE as a 0-dim tensor." in korean  # shown in English until it is translated
    assert "Return the SSE as a 0-dim tensor." not in i18n.catalog("ko")


def test_the_korean_stub_is_graded_as_not_started(grade, tmp_path):
    solution = kit.SOLUTIONS_DIR / "ex02_cost.py"
    (tmp_path / solution.name).write_text(stubs.stub_source(solution.read_text(encoding="utf-8"), solution.name, "ko"),
                                          encoding="utf-8")
    assert grade(tmp_path, ["ex02_cost"]).exercises[0].not_started


@pytest.fixture
def learner_kit(tmp_path, monkeypatch):
    shutil.copytree(kit.KIT_ROOT / "exercises", tmp_path / "exercises")
    monkeypatch.chdir(tmp_path)
    for name in ("GRADE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    i18n.set_language(None)
    yield tmp_path
    i18n.set_language(None)


def test_grade_show_prints_the_statement_in_the_learners_language(learner_kit):
    runner = CliRunner()
    english = runner.invoke(main, ["show", "2"])
    assert english.exit_code == 0
    assert "Exercise 02 — the cost: how wrong is the hypothesis?" in english.output
    assert "def mse(prediction: Tensor, target: Tensor) -> Tensor:" in english.output
    korean = runner.invoke(main, ["show", "2", "--lang", "ko"])
    assert "실습 02 — 비용: 가설은 얼마나 틀렸을까?" in korean.output
    assert "def mse(prediction: Tensor, target: Tensor) -> Tensor:" in korean.output
    assert "### BEGIN SOLUTION" not in korean.output and "return ((target" not in korean.output


def test_reset_with_lang_ko_gives_the_korean_stub_and_keeps_the_learners_work(learner_kit):
    runner = CliRunner()
    target = learner_kit / "exercises" / "ex02_cost.py"
    result = runner.invoke(main, ["reset", "2", "--lang", "ko"])  # untouched English stub: replaced, no question
    assert result.exit_code == 0 and "실습 02 —" in target.read_text(encoding="utf-8")
    assert not list((learner_kit / "exercises").glob("*.backup*.py"))
    target.write_text(target.read_text(encoding="utf-8") + "# my work\n", encoding="utf-8")
    assert runner.invoke(main, ["reset", "2", "--lang", "en", "--yes"]).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith('"""Exercise 02')
    assert "# my work" in (learner_kit / "exercises" / "ex02_cost.backup.py").read_text(encoding="utf-8")


def test_grade_lang_ko_rewrites_only_untouched_stubs(learner_kit):
    exercises = learner_kit / "exercises"
    mine = exercises / "ex03_manual_gradient.py"
    mine.write_text(mine.read_text(encoding="utf-8") + "# my work\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["lang", "ko"])
    assert result.exit_code == 0
    count = len(metadata.load().exercises) - 1
    assert f"손대지 않은 실습 파일 {count}개" in result.output
    assert (exercises / "ex01_hypothesis.py").read_text(encoding="utf-8").startswith('"""실습 01')
    assert mine.read_text(encoding="utf-8").startswith('"""Exercise 03') and "# my work" in mine.read_text(encoding="utf-8")
    CliRunner().invoke(main, ["lang", "en"])
    assert (exercises / "ex01_hypothesis.py").read_text(encoding="utf-8") == \
        (kit.KIT_ROOT / "exercises" / "ex01_hypothesis.py").read_text(encoding="utf-8")


def test_a_korean_student_kit_states_its_exercises_in_korean_and_speaks_korean(tmp_path):
    from grader.learner.state import State
    from grader.instructor.release import localize_kit

    staged = tmp_path / "kit"
    shutil.copytree(kit.KIT_ROOT / "exercises", staged / "exercises")
    localize_kit(staged, "ko")
    assert (staged / "exercises" / "ex05_autograd.py").read_text(encoding="utf-8").startswith('"""실습 05')
    assert State(staged / "exercises").setting("lang") == "ko"
