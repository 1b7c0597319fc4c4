"""Render text a student controls (names, messages, output) safely in a teacher's CSV, Markdown, terminal and plots.

`plain` makes every control character, terminal escape, bidirectional override and line
separator visible as a backslash escape (`\\x1b`, `\\u202e`), so nothing a student wrote can
move the cursor, recolour or rewrite a teacher's terminal or hide text; `markdown` also escapes
what Markdown and HTML would interpret; `csv_cell` applies the OWASP rule against formula
injection (a leading `=`, `+`, `-`, `@`, tab or CR gets a `'`) while a number stays a number;
`mathtext` keeps matplotlib from reading `$…$` as TeX.
"""

from __future__ import annotations

import unicodedata

_INVISIBLE = {0x200E, 0x200F, 0x2028, 0x2029, 0x061C, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN = set("\\`*_{}[]|~#")  # inline text: the block markers (-, +, 1., >) only act at a line's start
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(text: object, newlines: bool = False) -> str:
    """`text` with control characters, escapes and bidi controls shown as `\\xNN`/`\\uNNNN`; newlines kept if asked."""
    text = str(text)
    out = []
    for char in text:
        if newlines and char in "\n\t":
            out.append(char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") and char != " ":
            out.append(_escaped(char))
        else:
            out.append(char)
    return "".join(out)


def block(text: object) -> str:
    """Several lines of learner text for a file or terminal: `plain`, keeping newlines and tabs."""
    return plain(str(text).replace("\r\n", "\n"), newlines=True)


def markdown(text: object) -> str:
    """Text placed inside a Markdown line (never at its start): `plain`, then inline Markdown and HTML escaped."""
    return "".join(_HTML.get(char) or ("\\" + char if char in _MARKDOWN else char) for char in plain(text))


def table_cell(text: object) -> str:
    """The kit's own text in a Markdown table cell: `plain`, with `|` escaped so it stays one cell."""
    return plain(text).replace("|", "\\|")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower().lstrip("+-") not in ("inf", "infinity", "nan")


def csv_cell(value: object) -> str:
    """One CSV cell: `plain`, and a leading formula character neutralised with `'` unless the cell is a number."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _number(text):
        text = "'" + text
    return plain(text)


def mathtext(text: object) -> str:
    """A plot label: `plain`, with `$` escaped so matplotlib does not read it as TeX."""
    return plain(text).replace("$", r"\$")
