"""Bring a catalog up to date with the kit's English texts (like `msgmerge`/`pybabel update`).

    python -m grader.i18n.update ko

keeps every existing translation (keyed by its English text), adds an empty entry for each new
English text (tests/test_i18n.py fails until it is filled in), drops entries whose English text no
longer exists (listed on stdout), and orders the file as the texts appear in the kit.
"""

from __future__ import annotations

import json
import sys
try:
    import tomllib  # novermin - Python 3.11+, tomli below
except ImportError:  # Python 3.10
    import tomli as tomllib
from pathlib import Path

from grader.i18n import CATALOG_DIR
from grader.i18n.sources import learner_texts

HEADER = """\
# {lang} texts of the kit, keyed by the English text (`en`, as written in the code, the check
# docstrings or grader/exercises.toml). `id` says where the English lives. Placeholders such as
# {{function}} must be the same in both; `{{s:.0}}` keeps an English plural placeholder out of the text.
# Update with `python -m grader.i18n.update {lang}`; tests/test_i18n.py checks completeness.
"""


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def render(lang: str, entries: list[tuple[str, str, str]]) -> str:
    out = [HEADER.format(lang=lang)]
    for where, english, translated in entries:
        out.append(f"[[text]]\nid = {_quote(where)}\nen = {_quote(english)}\n{lang} = {_quote(translated)}\n")
    return "\n".join(out)


def update(lang: str, extra: dict[str, str] | None = None, path: Path | None = None) -> list[str]:
    """Rewrite the catalog; `extra` adds translations by id or by English text. Returns dropped texts."""
    path = path or CATALOG_DIR / f"{lang}.toml"
    known: dict[str, str] = {}
    if path.exists():
        for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("text", []):
            if entry.get(lang):
                known[entry["en"]] = entry[lang]
    extra = extra or {}
    entries, used = [], set()
    from grader.cli.group import main  # the command line sits above i18n: only this tool reaches up to it

    for where, english in learner_texts(main):
        translated = extra.get(english) or extra.get(where) if (english in extra or where in extra) else None
        translated = translated or known.get(english, "")
        entries.append((where, english, translated))
        used.add(english)
    path.write_text(render(lang, entries), encoding="utf-8")
    return [english for english in known if english not in used]


if __name__ == "__main__":
    for dropped in update(sys.argv[1] if len(sys.argv) > 1 else "ko"):
        print(f"dropped: {dropped}")
