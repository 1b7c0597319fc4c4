"""Pure functions from a Report to the text a learner reads."""

from __future__ import annotations

from grader.i18n import gettext, localize, tr
from grader.i18n.sources import N_
from grader.reporting.report import CheckResult, ExerciseResult, Report

_MARKS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "skipped": "-"}
_STATUS_WORDS = {"passed": N_("passed"), "failed": N_("failed"), "error": N_("error"), "timeout": N_("timeout"),
                 "skipped": N_("skipped")}
NOT_STARTED_MARK = "○"
NOT_STARTED = "(not started yet)"
_COLOURS = {"passed": "green", "failed": "red", "error": "red", "timeout": "yellow", "skipped": "bright_black"}


def _points(value: float) -> str:
    return f"{value:g}"


def _style(text: str, status: str, colour: bool, bold: bool = False) -> str:
    if not colour:
        return text
    import click

    return click.style(text, fg=_COLOURS.get(status), bold=bold)


def _shown(text: str) -> str:
    """Text that may hold what learner code wrote (an exception's message): control characters and escapes shown."""
    from grader.reporting.safetext import block

    shown = block(text)
    return text if shown == text else shown  # unchanged: keep it as it came (a translatable text)


def _say(lang: str, template: str, **values) -> str:
    """One of the renderer's own texts, in `lang`."""
    return localize(tr(template, **values), lang)


def render_check(check: CheckResult, colour: bool, lang: str = "en") -> list[str]:
    """A failed/errored/skipped check: description, then message and hint, indented."""
    if check.status == "skipped":
        reason = _shown(check.message) if check.message else gettext("not run", lang)
        return [_style(f"    - {check.description}  " + _say(lang, "(skipped: {reason})", reason=reason), "skipped", colour)]
    head = f"    {_MARKS[check.status]} {check.description}"
    tag = f" [{gettext(_STATUS_WORDS[check.status], lang)}]" if check.status not in ("failed",) else ""
    lines = [_style(head + tag, check.status, colour) + f"  ({_points(check.points)}/{_points(check.max_points)})"]
    if check.message:
        lines.append(f"        {_shown(check.message)}")
    if check.hint:
        lines.append("        " + _say(lang, "hint: {hint}", hint=check.hint))
    return lines


def render_exercise(exercise: ExerciseResult, colour: bool, verbose: bool = False, lang: str = "en") -> list[str]:
    """One line per exercise, then the checks that did not pass."""
    mark = _MARKS.get(exercise.status, "?")
    points = f"{_points(exercise.score)}/{_points(exercise.max_score)}"
    if exercise.not_started and not verbose:  # still the stub: one line until the learner begins it
        from grader.learner.text import tr

        line = f"{NOT_STARTED_MARK} {exercise.id:<24} {points:>7}  {exercise.title}  {tr(NOT_STARTED)}"
        return [_style(line, "skipped", colour, bold=True)]
    line = f"{mark} {exercise.id:<24} {points:>7}  {exercise.title}"
    lines = [_style(line, exercise.status, colour, bold=True)]
    if exercise.message:
        lines.append(f"    {_shown(exercise.message)}")
        if exercise.status in ("error", "timeout"):
            lines.append("    " + _say(lang, "({count} checks could not run)", count=len(exercise.checks)))
            return lines
    withdrawn: dict[str, list[CheckResult]] = {}
    for check in exercise.checks:
        if check.not_counted and check.message and check.message.startswith(("not counted", gettext("not counted", lang))):
            withdrawn.setdefault(check.not_counted, []).append(check)  # said once, below
        elif check.status != "passed":
            lines.extend(render_check(check, colour, lang))
        elif check.message:  # a passed check with advice (robustness beyond what is graded)
            lines.append(_style(f"    ✓ {check.description}", "passed", colour) + f"  ({_points(check.points)})")
            lines.append(f"        {_shown(check.message)}")
            if check.hint:
                lines.append("        " + _say(lang, "hint: {hint}", hint=check.hint))
        elif verbose:
            lines.append(_style(f"    ✓ {check.description}", "passed", colour) + f"  ({_points(check.points)})")
    for function, checks in withdrawn.items():
        lost = sum(c.max_points for c in checks)
        head = "    ✗ " + _say(lang, "not counted while {function}() uses a forbidden call ({count} more check{s}, "
                                  "{points} points): ", function=function, count=len(checks),
                        s="s" if len(checks) != 1 else "", points=_points(lost))
        lines.append(_style(head, "failed", colour) + "; ".join(c.description for c in checks))
    return lines


FULL_CONFINEMENT = ("landlock", "pid-namespace", "no-network", "unprivileged", "resource-limits", "private-tmp",
                    "seccomp")


def reduced_confinement(report: Report) -> list[str]:
    """The key isolation layers that were not active for this run (empty when all held)."""
    active = set(getattr(report, "confinement", None) or [])
    return [layer for layer in FULL_CONFINEMENT if layer not in active]


def render_report(report: Report, colour: bool = False, verbose: bool = False, lang: str = "en",
                  confinement_note: bool = True) -> str:
    """The whole text report, ending with the score line (the report's own texts are translated
    by grader.i18n.localize_report; `lang` is for the renderer's words). `confinement_note`: say
    when isolation was reduced (a command that renders several reports says it once)."""
    lines: list[str] = []
    for exercise in report.exercises:
        lines.extend(render_exercise(exercise, colour, verbose, lang))
    checks = [c for e in report.exercises for c in e.checks]
    passed = sum(c.status == "passed" for c in checks)
    lines.append("")
    lines.append(_say(lang, "Score: {score}/{max_score}  ({passed}/{total} checks passed)", score=_points(report.score),
                      max_score=_points(report.max_score), passed=passed, total=len(checks)))
    if not report.hidden_included:
        lines.append(_say(lang, "Only the public checks ran here; hidden checks run when your work is graded."))
    missing = reduced_confinement(report) if confinement_note else []
    if missing:
        lines.append(_say(lang, "Isolation of your code was reduced on this system (not active: {layers}).",
                          layers=", ".join(missing)))
    failing = [exercise for exercise in report.exercises if exercise.status != "passed"]
    if failing:
        first = failing[0].id
        lines.append(_say(lang, "Next: {exercise} (`grade run {short}` to focus on it, `grade hint {short}` for hints).",
                          exercise=first, short=first[:4]))
    return "\n".join(lines)
