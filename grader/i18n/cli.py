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

LANG_HELP = N_("Language of the output: en or ko (default: GRADE_LANG, else the locale).")
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


class LocalizedCommand(LocalizedMixin, click.Command):
    """A command whose help screen is printed in the chosen language."""


class LocalizedGroup(LocalizedMixin, click.Group):
    """A group whose help, and its commands' help, are printed in the chosen language."""

    command_class = LocalizedCommand

    @property
    def group_class(self):  # click reads it on the instance; sub-groups translate too
        return LocalizedGroup
