"""An exercise's statement (its module and function docstrings) in another language, paragraph by paragraph.

The English statement is written once, in the reference solution's docstrings, and the stub is generated
from it. Each prose paragraph is a catalog entry keyed by the English paragraph with its line breaks
folded into spaces (so re-wrapping the English changes nothing, and a changed sentence shows up as a
missing translation); a paragraph of items (`- ...`) keeps its lines. Displayed blocks, indented deeper
than the text around them (formulas, examples), are the same in every language and stay as written.
Translated prose is wrapped again to the width of the English.
"""

from __future__ import annotations

import ast
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import Iterator, Mapping

WIDTH = 92  # the English statements' line width, in columns


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a docstring: its catalog key (None for a displayed block) and its lines as written."""

    key: str | None
    lines: tuple[str, ...]
    indent: str
    display: bool = False  # a formula or example block: translated only where it carries words


_CODE = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|\w[\w.]*[_.(\[=^][\w.()\[\]/=,^]*|[.∂/]\w+|\b\w*\d\w*\b")


def has_words(block: str) -> bool:
    """A displayed block that carries English words (a comment, a label), not only formulas and code."""
    return len(re.findall(r"\b[a-z]{3,}\b", _CODE.sub(" ", block))) >= 3


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


_ITEM = re.compile(r"\s*(?:[-*•]|\d+[.)])\s")


def _is_items(lines: list[str]) -> bool:
    return any(_ITEM.match(line) for line in lines)


def split(raw: str, base: str) -> tuple[list[Paragraph | None], str]:
    """A raw docstring's paragraphs (None for each blank line between them) and its closing indentation.

    The first line (right after the opening quotes) is read as if it were indented like the rest.
    """
    lines = raw.split("\n")
    tail = lines.pop() if len(lines) > 1 and not lines[-1].strip() else ""
    lines[0] = base + lines[0].lstrip()
    pieces: list[Paragraph | None] = []
    group: list[str] = []
    kind = ""

    def close() -> None:
        if not group:
            return
        if kind == "display":  # formulas, examples: the same in every language unless they carry words
            block = "\n".join(line[len(base):] for line in group)
            pieces.append(Paragraph(block if has_words(block) else None, tuple(group), base, display=True))
        elif kind == "items":
            pieces.append(Paragraph("\n".join(line[len(base):] for line in group), tuple(group), base))
        else:
            pieces.append(Paragraph(" ".join(line.strip() for line in group), tuple(group), base))
        group.clear()

    for line in lines:
        if not line.strip():
            close()
            pieces.append(None)
            continue
        line = line.rstrip()
        deeper = len(_indent_of(line)) > len(base)
        if _is_items([line]) or (deeper and kind == "items"):
            wanted = "items"  # a list, at the text's indentation or deeper, continuation lines included
        else:
            wanted = "display" if deeper else "prose"
        if group and wanted != kind:
            close()
        kind = wanted
        group.append(line)
    close()
    return pieces, tail


def _render(paragraph: Paragraph, text: str) -> list[str]:
    """`text` (a translation) laid out as the paragraph was: wrapped prose, or its own lines for items."""
    indent = paragraph.indent
    if "\n" in text or paragraph.display:
        return [indent + line if line else "" for line in text.split("\n")]
    return [indent + line for line in wrap(text, WIDTH - len(indent)) or [""]]


def display_width(text: str) -> int:
    """Columns a terminal or editor gives `text`: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns (wide characters counted twice), broken at spaces only."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and display_width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def translate_docstring(raw: str, base: str, table: Mapping[str, str]) -> str:
    """`raw` with every paragraph found in `table` replaced by its translation."""
    pieces, tail = split(raw, base)
    out: list[str] = []
    for piece in pieces:
        if piece is None:
            out.append("")
        elif piece.key is not None and table.get(piece.key):
            out.extend(_render(piece, table[piece.key]))
        else:
            out.extend(piece.lines)
    out[0] = out[0][len(base):]  # the first line follows the opening quotes
    if len(raw.split("\n")) > 1 and not raw.split("\n")[-1].strip():
        out.append(tail)
    return "\n".join(out)


def _docstring_nodes(tree: ast.Module) -> Iterator[tuple[str, ast.Expr, str]]:
    """(where, the docstring's node, the body's indentation) for the module and each function."""
    for node in [tree, *ast.walk(tree)]:
        if not isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            where = "statement" if isinstance(node, ast.Module) else node.name
            yield where, body[0], " " * (0 if isinstance(node, ast.Module) else body[0].col_offset)


def paragraphs(source: str, filename: str = "<statement>") -> Iterator[tuple[str, int, str]]:
    """(where, number, English key) for every translatable paragraph of a module's docstrings."""
    tree = ast.parse(source, filename)
    seen = set()
    for where, node, base in _docstring_nodes(tree):
        if (where, node.lineno) in seen:
            continue
        seen.add((where, node.lineno))
        pieces, _ = split(node.value.value, base)
        number = 0
        for piece in pieces:
            if piece is not None and piece.key is not None:
                number += 1
                yield where, number, piece.key


def translate_source(source: str, table: Mapping[str, str], filename: str = "<statement>") -> str:
    """The module with its docstrings translated through `table` (code, comments and display blocks untouched)."""
    tree = ast.parse(source, filename)
    lines = source.split("\n")
    replacements = []
    seen = set()
    for _, node, base in _docstring_nodes(tree):
        if node.lineno in seen:
            continue
        seen.add(node.lineno)
        first, last = node.lineno - 1, node.end_lineno - 1
        opening = lines[first][node.col_offset:]
        quote = opening[:3] if opening[:3] in ('"""', "'''") else None
        if quote is None or lines[last].rstrip()[-3:] != quote or opening.startswith(quote + "\\"):
            continue  # a one-quoted or escaped docstring is left as it is
        translated = translate_docstring(node.value.value, base, table)
        replacements.append((first, last, lines[first][:node.col_offset] + quote + translated + quote))
    for first, last, text in sorted(replacements, reverse=True):
        lines[first:last + 1] = text.split("\n")
    return "\n".join(lines)


def statement_text(source: str, filename: str = "<statement>") -> str:
    """What `grade show` prints: the module's docstring, then each function's signature and docstring."""
    tree = ast.parse(source, filename)
    parts = [textwrap.dedent(ast.get_docstring(tree, clean=True) or "").strip()]
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            signature = ast.unparse(node.args)
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            doc = ast.get_docstring(node, clean=True) or ""
            parts.append(f"def {node.name}({signature}){returns}:\n" + textwrap.indent(doc, "    "))
    return "\n\n".join(part for part in parts if part)
