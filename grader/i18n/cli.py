"""`--lang` and translated help for the `grade` commands (click).

The command docstrings and option helps stay English in the code; the help screen is translated
when it is printed (`LocalizedCommand`/`LocalizedGroup`), together with click's own headings
("Usage:", "Options", "Commands", the `--help` option's text).
"""

from __future__ import annotations

import inspect

import click

from grader import i18n
from grader.i18n.sources import N_

LANG_HELP = N_("Language of the output: en or ko (default: GRADE_LANG, else the one `grade lang` remembered, "
                "else the locale).")
DEFAULT_TAG = N_("[default: ")
_CLICK_TEXTS = {  # click's own words on a help screen
    "Usage:": N_("Usage:"),
    "Options": N_("Options"),
    "Commands": N_("Commands"),
    "Show this message and exit.": N_("Show this message and exit."),
}


def _set_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        i18n.set_language(value)
    return value


def lang_option(function):
    """`--lang en|ko` on a command that prints learner-facing text (eager: `--help` follows it)."""
    return click.option("--lang", type=click.Choice(i18n.LANGUAGES), default=None, expose_value=False,
                        is_eager=True, callback=_set_language, help=LANG_HELP)(function)


class LocalizedFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = i18n.gettext("Usage:") + " "
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(i18n.gettext(heading))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        default = i18n.gettext(DEFAULT_TAG)  # click appends "[default: …]" to an option's help
        if default != DEFAULT_TAG:
            rows = [(term, text.replace(DEFAULT_TAG, default)) for term, text in rows]
        super().write_dl(rows, col_max, col_spacing)


class LocalizedContext(click.Context):
    formatter_class = LocalizedFormatter


def _translated_help(text: str | None) -> str | None:
    if text is None:
        return None
    return i18n.gettext(inspect.cleandoc(text).partition("\f")[0])


class LocalizedMixin:
    context_class = LocalizedContext

    def format_help_text(self, ctx, formatter) -> None:
        original = self.help
        self.help = _translated_help(original)
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = original

    def get_short_help_str(self, limit: int = 45) -> str:
        original_short, original_help = self.short_help, self.help
        self.short_help = i18n.gettext(original_short) if original_short else None
        self.help = _translated_help(original_help)
        try:
            return super().get_short_help_str(limit)
        finally:
            self.short_help, self.help = original_short, original_help

    def format_options(self, ctx, formatter) -> None:
        saved = []
        for param in self.get_params(ctx):
            help_text = getattr(param, "help", None)
            if help_text:
                saved.append((param, help_text))
                param.help = i18n.gettext(help_text)
        try:
            super().format_options(ctx, formatter)
        finally:
            for param, help_text in saved:
                param.help = help_text


def short_help(help_text: str, limit: int) -> str:
    """A command's line in the group's list: its first sentence if it fits `limit`, else the words that fit and "..."."""
    words = [w for w in inspect.cleandoc(help_text).partition("\f")[0].split() if w != "\b"]
    for end, word in enumerate(words, start=1):
        if len(" ".join(words[:end])) > limit:
            break
        if word.endswith("."):
            return " ".join(words[:end])
    else:
        return " ".join(words)
    kept = end - 1
    while kept > 0 and len(" ".join(words[:kept])) + 3 > limit:
        kept -= 1
    return " ".join(words[:kept]) + "..."


class LocalizedCommand(LocalizedMixin, click.Command):
    """A command whose help screen is printed in the chosen language."""


class LocalizedGroup(LocalizedMixin, click.Group):
    """A group whose help, and its commands' help, are printed in the chosen language."""

    command_class = LocalizedCommand

    def format_commands(self, ctx, formatter) -> None:
        """The command list with each line in the chosen language, whatever class the command is."""
        listed = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        listed = [(name, command) for name, command in listed if command is not None and not command.hidden]
        if not listed:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in listed)
        rows = []
        for name, command in listed:
            if command.short_help:
                text = i18n.gettext(inspect.cleandoc(command.short_help))
            else:
                text = short_help(_translated_help(command.help) or "", limit)
            rows.append((name, text))
        with formatter.section(i18n.gettext("Commands")):
            formatter.write_dl(rows)

    @property
    def group_class(self):  # click reads it on the instance; sub-groups translate too
        return LocalizedGroup


# click's own usage errors ----------------------------------------------------------------------
# click writes its messages in English (through the stdlib gettext, with no catalog installed); they
# are read back against these templates, as click 8 words them, and translated value by value.
CLICK_ERRORS = (
    N_("Missing argument {name}."),
    N_("Missing option {name}."),
    N_("Missing parameter {name}."),
    N_("Missing command."),
    N_("No such option {name}."),
    N_("No such command {name}."),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {count} arguments."),
    N_("Option {name} does not take a value."),
    N_("Got unexpected extra argument ({args})"),
    N_("Got unexpected extra arguments ({args})"),
    N_("Invalid value for {param}: {message}"),
    N_("Invalid value: {message}"),
    N_("{value} is not a valid integer."),
    N_("{value} is not a valid float."),
    N_("{value} is not a valid boolean."),
    N_("{value} is not one of {choices}."),
    N_("{value} is not {choice}."),
    N_("{value} is not in the range {range}."),
    N_("{kind} {name} does not exist."),
    N_("{kind} {name} is a file."),
    N_("{kind} {name} is a directory."),
    N_("{kind} {name} is not readable."),
    N_("{kind} {name} is not writable."),
)
CLICK_WORDS = (N_("File"), N_("Directory"), N_("Path"))  # the {kind} of a path error
DID_YOU_MEAN = N_("(did you mean {possibilities}?)")  # click's close match of a mistyped name
DID_YOU_MEAN_ONE_OF = N_("(did you mean one of {possibilities}?)")
NOT_UNDERSTOOD = N_("the command line was not understood: {message}")


def _pattern(template: str):
    import re

    parts, last = [], 0
    for match in re.finditer(r"\{(\w+)\}", template):
        parts.append(re.escape(template[last:match.start()]))
        parts.append(f"(?P<{match.group(1)}>.+?)" if match.group(1) != "message" else "(?P<message>.+)")
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts) + r"\Z", re.S)


def translate_click_text(text: str, lang: str | None = None) -> str | None:
    """A message click formatted in English, in `lang` (None when no template matches it)."""
    lang = lang or i18n.language()
    text = " ".join(text.split())
    for template in CLICK_ERRORS:
        match = _pattern(template).match(text)
        if not match:
            continue
        values = match.groupdict()
        if "message" in values:
            values["message"] = translate_click_text(values["message"], lang) or values["message"]
        if "kind" in values:
            values["kind"] = i18n.gettext(values["kind"], lang)
        return i18n.localize(i18n.tr(template, **values), lang)
    return None


def click_error_message(exc: click.ClickException, lang: str | None = None) -> str:
    """The one-line usage error for what click refused, in the chosen language."""
    lang = lang or i18n.language()
    possibilities = getattr(exc, "possibilities", None)
    base = exc.message if possibilities else exc.format_message()
    translated = translate_click_text(base, lang)
    if translated is None:
        if lang == i18n.DEFAULT:
            return " ".join(exc.format_message().split())
        translated = i18n.localize(i18n.tr(NOT_UNDERSTOOD, message=" ".join(base.split())), lang)
    if possibilities:
        shown = ", ".join(repr(item) for item in possibilities)
        template = DID_YOU_MEAN if len(possibilities) == 1 else DID_YOU_MEAN_ONE_OF
        translated += " " + i18n.localize(i18n.tr(template, possibilities=shown), lang)
    return translated
