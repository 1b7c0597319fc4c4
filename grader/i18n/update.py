"""Bring a catalog up to date with the kit's English texts (like `msgmerge`/`pybabel update`).

    python -m grader.i18n.update ko

writes grader/i18n/ko.toml (the grader's own texts) and each exercise's grader/curriculum/<id>/ko.toml
(its title, hints, mistakes, check descriptions and messages); it keeps every existing translation (keyed by its English text), adds an empty entry for each new
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
from grader.i18n.sources import texts_by_owner

HEADER = """\
# {lang} texts, keyed by the English text (`en`, as written in the code, the check docstrings
# or an exercise.toml). `id` says where the English lives. Placeholders such as
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
    """Rewrite the grader's catalog and every exercise's; `extra` adds translations by id or by English text.

    Each text goes to the catalog of the exercise it belongs to (grader/curriculum/<id>/<lang>.toml),
    the grader's own and shared ones to grader/i18n/<lang>.toml (`path` moves that one). Returns
    the texts no longer in the kit (dropped).
    """
    from grader.catalog import metadata
    from grader.cli.group import main  # the command line sits above i18n: only this tool reaches up to it

    path = path or CATALOG_DIR / f"{lang}.toml"
    folders = {e.id: e.metadata_file.parent for e in metadata.load().exercises}
    sources = [path, *(folder / f"{lang}.toml" for folder in folders.values())]
    known: dict[str, str] = {}
    for source in sources:
        if source.exists():
            for entry in tomllib.loads(source.read_text(encoding="utf-8")).get("text", []):
                if entry.get(lang):
                    known[entry["en"]] = entry[lang]
    extra = extra or {}
    used = set()
    grouped = texts_by_owner(main)
    for who, texts in grouped.items():
        entries = []
        for where, english in texts:
            translated = extra.get(english) or extra.get(where) if (english in extra or where in extra) else None
            entries.append((where, english, translated or known.get(english, "")))
            used.add(english)
        target = path if who is None else folders[who] / f"{lang}.toml"
        target.write_text(render(lang, entries), encoding="utf-8")
    for exercise_id, folder in folders.items():  # an exercise whose texts all moved away keeps no stale catalog
        stale = folder / f"{lang}.toml"
        if stale.exists() and exercise_id not in grouped:
            stale.unlink()
    return [english for english in known if english not in used]


def main(argv: list[str]) -> int:
    """`python -m grader.i18n.update [LANG]`: update LANG's catalogs (ko by default); exit 2 on anything else."""
    from grader.i18n import DEFAULT, LANGUAGES

    shipped = [lang for lang in LANGUAGES if lang != DEFAULT]
    if len(argv) > 1 or (argv and argv[0] not in shipped):
        print(__doc__.strip().split("\n\n")[0], file=sys.stderr)
        print(f"usage: python -m grader.i18n.update [{'|'.join(shipped)}] (a new language starts with "
              "its code in grader.i18n.LANGUAGES)", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    lang = argv[0] if argv else shipped[0]
    for dropped in update(lang):
        print(f"dropped: {dropped}")
    for catalog, count in untranslated(lang).items():
        print(f"to translate: {count} text{'s' if count != 1 else ''} with {lang} = \"\" in {catalog}")
    return 0


def untranslated(lang: str) -> dict[str, int]:
    """{catalog path inside the kit: how many of its texts still have an empty translation}."""
    from grader.catalog import kit, metadata

    catalogs = [CATALOG_DIR / f"{lang}.toml", *(e.metadata_file.parent / f"{lang}.toml" for e in metadata.load().exercises)]
    found = {}
    for catalog in catalogs:
        if catalog.exists():
            count = sum(1 for entry in tomllib.loads(catalog.read_text(encoding="utf-8")).get("text", [])
                        if not entry.get(lang))
            if count:
                try:
                    shown = catalog.relative_to(kit.KIT_ROOT).as_posix()
                except ValueError:
                    shown = str(catalog)
                found[shown] = count
    return found


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
