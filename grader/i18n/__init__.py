"""Learner-facing text in English and Korean.

English is the source language and is written where the text is used (check docstrings,
each exercise's exercise.toml, `tr(...)` templates in the code). Each other language has a validated
catalog beside this file (`ko.toml`, the grader's own texts) and one in each exercise folder
(grader/curriculum/<exercise>/ko.toml, that exercise's texts; `python -m grader.i18n.update ko`
writes both): entries `{en = "...", ko = "..."}` keyed by the English
text, as gettext keys a catalog by its msgid. A changed English text therefore shows up as a
missing translation (tests/test_i18n.py), never as a stale one.

Messages that carry values are templates with named placeholders, `tr("{function}() returned
{got}", function=..., got=...)`. `tr` returns a `Text`: a `str` equal to the English message (so
checks, tests and logs see English) that remembers its template and values, so the report can be
translated at the edge (`localize`), values included (a value may itself be a `Text`).
"""

from __future__ import annotations

import os
import string
try:
    import tomllib  # novermin - Python 3.11+, tomli below
except ImportError:  # Python 3.10
    import tomli as tomllib
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from grader.i18n.particles import format_template

LANGUAGES = ("en", "ko")
DEFAULT = "en"
CATALOG_DIR = Path(__file__).resolve().parent
_current: str | None = None
_remembered: str | None = None  # `grade lang ko`: the learner's remembered choice, read once by the CLI


class CatalogError(ValueError):
    """A translation catalog is invalid; the message names the entry."""


def N_(text: str) -> str:
    """Mark a literal as learner-facing text translated later (by `gettext`/`localize`)."""
    return text


def mistake_label(mistake: str) -> str:
    """`sum_instead_of_mean` → "sum instead of mean": a known mistake's name, translated as a whole."""
    return mistake.replace("_", " ")


# choosing the language -----------------------------------------------------------------------
def normalize(value: str | None) -> str | None:
    """`ko`, `ko_KR.UTF-8`, `KO` → "ko"; `en_US` → "en"; anything else → None."""
    if not value:
        return None
    code = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in LANGUAGES else None


def choice(environ: Mapping[str, str] | None = None, remembered: str | None = None) -> tuple[str, str]:
    """(language, where it comes from): `GRADE_LANG`, else the remembered choice (`grade lang`), else the
    locale (`LC_ALL`, `LC_MESSAGES`, `LANG`: Korean when it starts with `ko`), else English."""
    environ = os.environ if environ is None else environ
    chosen = environ.get("GRADE_LANG", "").strip()
    if chosen:
        return normalize(chosen) or DEFAULT, "GRADE_LANG"
    if normalize(remembered):
        return normalize(remembered), "remembered"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if value:  # the first locale variable that is set decides, as in POSIX
            return ("ko" if value.lower().startswith("ko") else DEFAULT), name
    return DEFAULT, "default"


def from_environment(environ: Mapping[str, str] | None = None, remembered: str | None = None) -> str:
    """The language `choice` settles on."""
    return choice(environ, remembered)[0]


def load_remembered() -> str | None:
    """The choice `grade lang ko` remembered in the learner's state folder (None when there is none)."""
    try:
        from grader.learner.state import State

        return normalize(State().setting("lang"))
    except Exception:  # noqa: BLE001 - an unreadable state never stops `grade`
        return None


def use_remembered(lang: str | None) -> None:
    """The remembered choice this process follows when neither --lang nor GRADE_LANG says otherwise."""
    global _remembered
    _remembered = normalize(lang)


def set_language(lang: str | None) -> None:
    """Fix the language for this process (`--lang`); None goes back to the environment's choice."""
    global _current
    _current = normalize(lang) if lang else None


def chosen_option() -> str | None:
    """The language --lang fixed for this process, if it did."""
    return _current


def language() -> str:
    """The language learner-facing text is printed in now: --lang, GRADE_LANG, `grade lang`, the locale."""
    return _current or from_environment(remembered=_remembered)


def language_from_args(args: Iterable[str]) -> str | None:
    """`--lang ko` / `--lang=ko` among command-line arguments (read before click parses, so `--help` follows it)."""
    args = list(args)
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            return normalize(args[index + 1])
        if arg.startswith("--lang="):
            return normalize(arg.split("=", 1)[1])
    return None


# catalogs ------------------------------------------------------------------------------------
def placeholders(template: str) -> set[str]:
    """The named fields of a str.format template (`{got}`, `{cpu:.3g}` → {"got", "cpu"})."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            names.add(field.split(".")[0].split("[")[0])
    return names


def needs_translation(english: str) -> bool:
    """A template of placeholders and punctuation only (`"{a}{b}"`, `'"{check}"'`) reads the same everywhere."""
    rest = "".join(literal for literal, *_ in string.Formatter().parse(english))
    return any(ch.isalpha() for ch in rest)


def parse_catalog(text: str, lang: str, where: str = "catalog") -> dict[str, str]:
    """Validate a catalog file and return {english: translation}."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{where}: not valid TOML: {exc}") from None
    entries = data.get("text", [])
    if not isinstance(entries, list):
        raise CatalogError(f"{where}: [[text]] entries expected")
    table: dict[str, str] = {}
    for number, entry in enumerate(entries, start=1):
        label = f"{where}: entry #{number}"
        if not isinstance(entry, dict) or set(entry) - {"id", "en", lang}:
            raise CatalogError(f"{label}: only the fields id, en and {lang} are allowed")
        english, translated = entry.get("en"), entry.get(lang)
        if not isinstance(english, str) or not english.strip():
            raise CatalogError(f"{label}: needs a non-empty `en`")
        if not isinstance(translated, str):
            raise CatalogError(f"{label} ({english[:40]!r}): needs `{lang}`")
        if not translated.strip():
            continue  # not translated yet (the English is shown; tests/test_i18n.py reports it)
        try:
            same = placeholders(english) == placeholders(translated)
        except ValueError as exc:
            raise CatalogError(f"{label} ({english[:40]!r}): not a valid template: {exc}") from None
        if not same:
            raise CatalogError(f"{label} ({english[:40]!r}): placeholders {sorted(placeholders(translated))} "
                               f"differ from the English {sorted(placeholders(english))}")
        if english in table and table[english] != translated:
            raise CatalogError(f"{label}: {english[:40]!r} is translated twice, differently")
        table[english] = translated
    return table


def catalog_files(lang: str) -> list[Path]:
    """The grader's catalog for `lang`, then each exercise's of the course (those that exist)."""
    files = [CATALOG_DIR / f"{lang}.toml"]
    try:
        from grader.catalog import metadata

        folders = [e.metadata_file.parent for e in metadata.load().exercises]
    except ValueError:  # an invalid catalog: the command says so; the grader's own texts still translate
        folders = []
    return [path for path in files + [folder / f"{lang}.toml" for folder in folders] if path.is_file()]


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """{english: translation} for `lang` (empty for English): the grader's texts and every exercise's."""
    if lang == DEFAULT:
        return {}
    table: dict[str, str] = {}
    for path in catalog_files(lang):
        where = path.name if path.parent == CATALOG_DIR else f"{path.parent.name}/{path.name}"
        table.update(parse_catalog(path.read_text(encoding="utf-8"), lang, where))
    return table


def gettext(english: str, lang: str | None = None) -> str:
    """The translation of an English text or template (the English itself when there is none)."""
    lang = lang or language()
    if lang == DEFAULT or not isinstance(english, str):
        return english
    return catalog(lang).get(str(english), english)


# deferred messages ---------------------------------------------------------------------------
class Text(str):
    """An English message that remembers its template and values, for translation at the edge."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, params: Mapping[str, Any] | None = None) -> "Text":
        params = dict(params or {})
        self = super().__new__(cls, template.format_map(params) if params else template)
        self.template = template
        self.params = params
        return self

    def __add__(self, other: Any) -> "Text":
        if not isinstance(other, str):
            return NotImplemented
        return Text("{a}{b}", {"a": self, "b": other})

    def __radd__(self, other: Any) -> "Text":
        if not isinstance(other, str):
            return NotImplemented
        return Text("{a}{b}", {"a": other, "b": self})

    def map_values(self, function) -> "Text":
        """The same message with `function` applied to every plain string value (e.g. scrubbing paths)."""
        params = {}
        for key, value in self.params.items():
            if isinstance(value, Text):
                params[key] = value.map_values(function)
            elif isinstance(value, str):
                params[key] = function(value)
            else:
                params[key] = value
        return Text(self.template, params)

    def __reduce__(self):
        return (Text, (self.template, self.params))


def tr(template: str, **params: Any) -> Text:
    """A learner-facing message: English now, translatable later. `template` must be a literal
    (tests/test_i18n.py collects them and requires a translation of each)."""
    return Text(template, params)


def join(items: Iterable[Any], quote: bool = False) -> Text | str:
    """`"a"`, `"a" and "b"`, `"a", "b" and "c"` as a translatable message."""
    items = [Text('"{item}"', {"item": item}) if quote else item for item in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0] if isinstance(items[0], str) else str(items[0])
    head = items[0]
    for item in items[1:-1]:
        head = Text("{first}, {second}", {"first": head, "second": item})
    return tr("{first} and {last}", first=head, last=items[-1])


def localize(value: Any, lang: str | None = None) -> Any:
    """A message, description, title or hint in `lang`: a `Text` through its template, values
    included; a plain string looked up as a whole (descriptions, hints); anything else as it is."""
    lang = lang or language()
    if lang == DEFAULT or value is None:
        return value if not isinstance(value, Text) else str(value)
    if isinstance(value, Text):
        template = catalog(lang).get(value.template, value.template)
        params = {key: localize(item, lang) for key, item in value.params.items()}
        try:
            return format_template(template, params)
        except (KeyError, ValueError, IndexError):  # a broken translation never hides the message
            return str(value)
    if isinstance(value, str):
        return catalog(lang).get(value, value)
    return value


def localize_report(report: Any, lang: str | None = None) -> Any:
    """The report with every learner-facing field (title, description, message, hint) in `lang`;
    ids, statuses and field names stay as they are."""
    lang = lang or language()
    exercises = []
    for exercise in report.exercises:
        checks = [replace(check, description=localize(check.description, lang), message=localize(check.message, lang),
                          hint=localize(check.hint, lang)) for check in exercise.checks]
        exercises.append(replace(exercise, title=localize(exercise.title, lang),
                                 message=localize(exercise.message, lang), checks=checks))
    return replace(report, exercises=exercises)


def localize_exercise(exercise: Any, lang: str | None = None) -> Any:
    """An exercise (grader.catalog.metadata.Exercise) whose title and hints are in `lang`."""
    lang = lang or language()
    return replace(exercise, title=localize(exercise.title, lang),
                   hints=tuple(localize(hint, lang) for hint in exercise.hints))
