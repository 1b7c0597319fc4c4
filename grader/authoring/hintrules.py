"""The rules a hint keeps: it never hands over a line of the reference solution, and it speaks only of the
tools its exercise has (no step() or optimizer.zero_grad() where there is no optimizer).

`grade dev check` holds every exercise to them (tests/test_hints.py the built-in ones too), on every
hint tier, check hint and known-mistake hint, in every language.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from grader.catalog.metadata import Catalog, Exercise

_SPACE = re.compile(r"[\s`]+")
_DETACH = re.compile(r"\.detach\(\)")
# structure a hint may name without writing the line: loops, branches, context managers, bare names
_STRUCTURE = re.compile(r"^(for |while |if |elif |else|with |try|except|finally|return\s*\w*\s*$|break|continue|pass)")
# a bare call without arguments as a statement (`optimizer.zero_grad()`, `cost.backward()`) names a tool
_TOOL_CALL = re.compile(r"^[\w.]+\(\)$")
MIN_LENGTH = 8  # shorter expressions (`[]`, `x * W`, `0.0`) are words of the subject, not its answer
OPTIMIZER_WORDS = re.compile(r"optimizer\.|\.step\(\)|\bstep\(\)|zero_grad\(\)|torch\.optim|옵티마이저")


def _normal(text: str) -> str:
    """Spaces and backticks out, one kind of quote, `.detach()` dropped (incidental to what a line does)."""
    return _DETACH.sub("", _SPACE.sub("", text)).replace("'", '"')


def reference_lines(source: str, filename: str) -> list[str]:
    """The reference's lines between BEGIN/END SOLUTION, reduced to what would give the answer away: each
    statement's expression (the right side of an assignment, what is returned), normalised; a line the
    exercise's own statement already writes out (`optimizer.step()`, `nn.BCELoss()`) is no secret."""
    from grader.catalog import stubs

    given = _normal(stubs.stub_source(source, filename))  # what the statement itself dictates is no secret
    found: list[str] = []
    for body in stubs.solution_bodies(source, filename):
        for line in body.splitlines():
            code = line.split("#", 1)[0].strip()
            if not code or _STRUCTURE.match(code) or _TOOL_CALL.match(code):
                continue
            candidates = {code}
            for pattern in (r"^return\s+(.+)$", r"^[\w\s,.\[\]\"']+?(?:[-+*/]?=)\s*(.+)$"):
                match = re.match(pattern, code)
                if match and "==" not in code[:match.start(1)]:
                    candidates.add(match.group(1))
            for candidate in candidates:
                normal = _normal(candidate)
                if len(normal) >= MIN_LENGTH and _is_code(candidate) and normal not in given:
                    found.append(normal)
    return sorted(set(found))


def _is_code(text: str) -> bool:
    """An expression that does something (a call, an operator, indexing), not a lone name or literal."""
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError:
        return True  # a fragment such as `p.sub_(lr * v)` inside a larger statement still counts
    node = tree.body[0] if tree.body else None
    value = node.value if isinstance(node, ast.Expr) else node
    if isinstance(value, ast.Tuple):
        return not all(isinstance(item, (ast.Name, ast.Constant)) for item in value.elts)
    return not isinstance(value, (ast.Name, ast.Constant))


def leaked_lines(hint: str, lines: Iterable[str]) -> list[str]:
    """The reference lines (normalised) that `hint` writes out."""
    normal = _normal(hint)
    return [line for line in lines if line in normal]


def uses_optimizer(source: str, filename: str) -> bool:
    """The exercise works with an optimizer: its code (not its prose) names one."""
    tree = ast.parse(source, filename)
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    return "optimizer" in names or "optim" in attributes or "step" in attributes


def mentions_optimizer(hint: str) -> bool:
    """The hint speaks of an optimizer's step() or zero_grad()."""
    return bool(OPTIMIZER_WORDS.search(hint))


def check_hints(exercise: "Exercise") -> list[str]:
    """The literal `hint=tr("...")` texts of the exercise's check module."""
    if not exercise.check_file.is_file():
        return []
    found = []
    for node in ast.walk(ast.parse(exercise.check_file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.keyword) and node.arg == "hint" and isinstance(node.value, ast.Call) \
                and node.value.args and isinstance(node.value.args[0], ast.Constant) \
                and isinstance(node.value.args[0].value, str):
            found.append(node.value.args[0].value)
    return found


def hints_of(exercise: "Exercise", catalog: "Catalog") -> list[tuple[str, str]]:
    """(where, text) for every hint a learner of this exercise can read, in every shipped language."""
    from grader import i18n

    found = [(f"hint {n}", hint) for n, hint in enumerate(exercise.hints, start=1)]
    found += [(f"check hint {text[:30]!r}", text) for text in check_hints(exercise)]
    found += [(f"mistake {m}", catalog.hint_for(m)) for m in exercise.mistakes if catalog.hint_for(m)]
    shown = []
    for where, text in found:
        seen = set()
        for lang in i18n.LANGUAGES:
            localized = i18n.localize(text, lang)
            if localized not in seen:  # an untranslated text is the English one: said once
                seen.add(localized)
                shown.append((f"{where} [{lang}]", localized))
    return shown


def problems(exercise: "Exercise", catalog: "Catalog") -> list[str]:
    """What keeps the exercise's hints from leading: a reference line written out, optimizer talk without one."""
    source = exercise.solution_file.read_text(encoding="utf-8")
    lines = reference_lines(source, exercise.filename)
    hints = hints_of(exercise, catalog)
    found = [f"{where} writes out the reference's line `{line}`: say what to do, leave the line to the learner"
             for where, text in hints for line in _longest(leaked_lines(text, lines))]
    if not uses_optimizer(source, exercise.filename):
        found += [f"{where} speaks of step()/zero_grad(), but the exercise has no optimizer"
                  for where, text in hints if mentions_optimizer(text)]
    found = list(dict.fromkeys(found))
    if len(set(exercise.hints)) != len(exercise.hints):
        found.append("two hint tiers say the same: each tier should lead one step further")
    return found


def _longest(found: list[str]) -> list[str]:
    """The leaked lines, without those that are part of a longer one also leaked (one finding, said once)."""
    return [line for line in found if not any(line != other and line in other for other in found)]
