"""Korean everywhere a learner looks: every learner command and its --help under the Korean setting has no
English sentence left (code, identifiers and numbers aside); the language is chosen once for every command."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner

from grader import i18n
from grader.catalog import kit, metadata
from grader.cli.group import main

HANGUL = re.compile("[가-힣]")
# what may stay as it is inside a Korean screen: code spans, quoted names, options, identifiers, file names,
# numbers, ALL-CAPS metavariables (EXERCISE, OPTIONS, PATH)
CODE = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|“[^”]*”|--?[A-Za-z][\w-]*|[\w.]*[_./()\[\]=][\w.()\[\]/=,]*"
                  r"|\b[A-Z][A-Z0-9_]+\b|\b\w*\d\w*\b")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def english_sentences(text: str) -> list[str]:
    """The lines of `text` that read as English: two or more English words and no Hangul at all."""
    found = []
    for line in text.splitlines():
        if HANGUL.search(line) or re.match(r"\s*def \w+\(.*:$", line):  # a signature is code
            continue
        if len(ENGLISH_WORD.findall(CODE.sub(" ", line))) >= 2:
            found.append(line)
    return found


def test_the_detector_sees_english_and_spares_code():
    assert english_sentences("Usage: grade run [OPTIONS]") == ["Usage: grade run [OPTIONS]"]
    assert english_sentences("grade: Missing argument 'EXERCISE'.") != []
    assert english_sentences("  --dir PATH      실습 모듈이 있는 폴더 (기본값: exercises/).") == []
    assert english_sentences("[······························] 0%") == []
    assert english_sentences("ex01_hypothesis  W = torch.zeros(1)  `grade run ex01`") == []


@pytest.fixture
def korean_kit(tmp_path, monkeypatch):
    """A learner's kit (exercises/ copied) as the current folder, under GRADE_LANG=ko."""
    shutil.copytree(kit.KIT_ROOT / "exercises", tmp_path / "exercises")
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRADE_LANG", "ko")
    i18n.set_language(None)
    yield tmp_path
    i18n.set_language(None)


def _learner_commands() -> list[str]:
    """Every command a learner uses: those taking --lang (instructor commands don't)."""
    return sorted(name for name, command in main.commands.items()
                  if any(param.name == "lang" for param in command.params))


def test_learner_commands_are_the_ones_expected():
    learner = set(_learner_commands())
    assert {"run", "list", "hint", "watch", "progress", "reset", "lang", "show"} <= learner
    assert "batch" not in learner


@pytest.mark.parametrize("command", [[], *[[name] for name in _learner_commands()]], ids=lambda c: " ".join(c) or "grade")
def test_every_learner_help_is_korean(korean_kit, command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert HANGUL.search(result.output)
    assert english_sentences(result.output) == []


RUNS = [
    ["list"],
    ["hint", "2"],
    ["hint", "2", "--all"],
    ["progress"],
    ["lang"],
    ["run", "1"],
    ["run", "2", "-v"],
    ["reset", "2", "--yes"],
    ["show", "2"],
]


@pytest.mark.parametrize("args", RUNS, ids=" ".join)
def test_every_learner_command_speaks_korean(korean_kit, args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    assert HANGUL.search(result.output)
    assert english_sentences(result.output) == []


def test_a_failing_run_speaks_korean_with_particles(korean_kit):
    wrong = (kit.SOLUTIONS_DIR / "ex02_cost.py").read_text(encoding="utf-8").replace(
        "((target - prediction) ** 2).mean()", "((target - prediction) ** 2).sum()")
    (korean_kit / "exercises" / "ex02_cost.py").write_text(wrong, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "2"])
    assert result.exit_code == 1
    assert english_sentences(result.output) == []
    assert "이(가)" not in result.output and "을(를)" not in result.output
    assert "mse가 77을 반환했습니다" in result.output  # 엠에스이가, 칠십칠을: each particle follows its value


def test_watch_refuses_nothing_and_progress_names_the_korean_title(korean_kit):
    result = CliRunner().invoke(main, ["progress", "--lang", "ko"])
    first = metadata.load().exercises[0]
    assert f"{first.id} — {i18n.localize(first.title, 'ko')}" in result.output
    assert i18n.localize(first.title, "ko") != first.title
    english = CliRunner().invoke(main, ["progress", "--lang", "en"])
    assert f"{first.id} — {first.title}" in english.output


@pytest.mark.parametrize("args", [
    ["hint"],  # click: missing argument
    ["run", "--nope"],  # click: no such option
    ["run", "--sed", "3"],  # click: no such option, with a close match
    ["run", "--seed"],  # click: an option without its value
    ["run", "--seed", "x"],  # click: not an integer
    ["run", "--lang", "fr"],  # click: not one of the choices
    ["list", "extra"],  # click: an extra argument
    ["nosuch"],  # click: no such command
    ["reset", "ex99"],  # ours: unknown exercise
    ["lang", "fr"],
    ["run", "--dir", "no-such-folder"],  # ours: a folder that is not there
    ["run", "--dir", "empty"],  # ours: a folder without exercise modules
])
def test_usage_errors_are_korean(korean_kit, args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith("grade: ") and "\n" not in line
    assert HANGUL.search(line), line
    assert english_sentences(line) == [], line


def test_usage_errors_stay_english_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("GRADE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, ["run", "--seed", "x"])
    assert result.stderr.strip() == "grade: Invalid value for '--seed': 'x' is not a valid integer."


# one setting for every command --------------------------------------------------------------------
@pytest.fixture
def remembering_kit(korean_kit, monkeypatch):
    """The Korean kit without GRADE_LANG, reading the choice `grade lang` remembers in its state."""
    monkeypatch.delenv("GRADE_LANG")
    monkeypatch.setattr(i18n, "load_remembered", REAL_LOAD_REMEMBERED)
    return korean_kit


REAL_LOAD_REMEMBERED = i18n.load_remembered


def test_grade_lang_remembers_the_choice_for_every_command(remembering_kit, monkeypatch):
    runner = CliRunner()
    assert "Language: English (en)" in runner.invoke(main, ["lang"]).output
    said = runner.invoke(main, ["lang", "ko"])
    assert said.exit_code == 0 and "한국어" in said.output and ".grade/state.json" in said.output
    assert (remembering_kit / ".grade" / "state.json").is_file()
    (remembering_kit / "exercises" / "ex01_hypothesis.py").unlink()
    for args in (["list"], ["progress"], ["hint", "1"], ["reset", "1", "--yes"]):
        assert HANGUL.search(runner.invoke(main, args).output), args
    assert "`grade lang ko`" in runner.invoke(main, ["lang"]).output
    assert "The hypothesis" in runner.invoke(main, ["list", "--lang", "en"]).output  # --lang comes first
    monkeypatch.setenv("GRADE_LANG", "en")
    assert "The hypothesis" in runner.invoke(main, ["list"]).output  # so does GRADE_LANG
    monkeypatch.delenv("GRADE_LANG")
    forgot = runner.invoke(main, ["lang", "auto"])
    assert "forgotten" in forgot.output
    assert "The hypothesis" in runner.invoke(main, ["list"]).output


def test_the_choice_order_is_option_environment_remembered_locale():
    assert i18n.choice({"GRADE_LANG": "en", "LANG": "ko_KR.UTF-8"}, remembered="ko") == ("en", "GRADE_LANG")
    assert i18n.choice({"LANG": "en_US.UTF-8"}, remembered="ko") == ("ko", "remembered")
    assert i18n.choice({"LANG": "ko_KR.UTF-8"}, remembered=None) == ("ko", "LANG")
    assert i18n.choice({}, remembered="xx") == ("en", "default")


def test_a_known_mistake_is_named_in_korean_inside_a_korean_sentence():
    from grader.grading.plugin import mistake_label

    message = i18n.tr("{message} (it looks like a known mistake: {mistake})", message=i18n.tr("did not hold: {check}",
                      check="x"), mistake=mistake_label("one_update_too_many"))
    korean = i18n.localize(message, "ko")
    assert "one update too many" not in korean and "업데이트 한 번 더 함" in korean
    for mistake in metadata.load().mistakes:
        assert HANGUL.search(i18n.localize(mistake_label(mistake), "ko")), mistake
