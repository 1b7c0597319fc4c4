"""`grade lang [en|ko|auto]`: the language every `grade` command speaks, remembered in the learner's state.

The choice is read in this order: `--lang` on the command line, the `GRADE_LANG` variable, the choice
remembered here, the locale (`LANG`...), English. `grade lang ko` remembers Korean for this kit (in
`.grade/state.json` beside exercises/), `grade lang auto` forgets it; `grade lang` alone says which
language is in use and why.
"""

from __future__ import annotations

from grader.learner.text import tr

TEXT = {
    "now": "Language: {name} ({code}), {why}.",
    "why_option": "chosen with --lang for this command",
    "why_GRADE_LANG": "set by the GRADE_LANG variable",
    "why_remembered": "remembered by `grade lang {code}`",
    "why_locale": "from the locale ({variable})",
    "why_default": "the default",
    "remembered": "From now on grade speaks {name} in this kit ({where}); --lang and GRADE_LANG still come first.",
    "forgotten": "The remembered language is forgotten: grade follows GRADE_LANG, then the locale, then English.",
    "overridden": "Note: GRADE_LANG={value} is set, so it still decides until you unset it.",
    "relanguaged": "{count} untouched exercise file{s} in exercises/ now state{verb} the exercise in {name}; your own work is left as it is.",
    "not_saved": "The choice could not be saved (no writable state folder); use --lang or GRADE_LANG instead.",
    "user_state": "the state file in your user state folder",
    "en": "English",
    "ko": "Korean",
}


def describe(option: str | None) -> str:
    """One line: the language in use and where it comes from."""
    import os

    from grader import i18n

    if option:
        lang, where = option, "option"
    else:
        lang, where = i18n.choice(remembered=i18n.load_remembered())
    if where == "option":
        why = tr(TEXT["why_option"])
    elif where == "remembered":
        why = tr(TEXT["why_remembered"], code=lang)
    elif where in ("LC_ALL", "LC_MESSAGES", "LANG"):
        why = tr(TEXT["why_locale"], variable=f"{where}={os.environ.get(where, '')}")
    else:
        why = tr(TEXT[f"why_{where}"])
    return tr(TEXT["now"], name=tr(TEXT[lang]), code=lang, why=why)


def remember(lang: str | None) -> list[str]:
    """Remember `lang` (None forgets it); the lines to print, in the language now chosen."""
    import os

    from grader import i18n
    from grader.learner.state import State

    state = State()
    state.set_setting("lang", lang)
    saved = state.save()
    i18n.use_remembered(lang)
    i18n.set_language(None)  # this very command speaks the new choice (unless GRADE_LANG says otherwise)
    if saved is None:
        return [tr(TEXT["not_saved"])]
    if lang is None:
        lines = [tr(TEXT["forgotten"])]
    else:
        lines = [tr(TEXT["remembered"], name=tr(TEXT[lang]), where=_shown(saved))]
    lines += _relanguage_stubs(lang or i18n.language())
    if os.environ.get("GRADE_LANG", "").strip():
        lines.append(tr(TEXT["overridden"], value=os.environ["GRADE_LANG"].strip()))
    return lines


def _relanguage_stubs(lang: str) -> list[str]:
    """The untouched stubs of the kit's exercises/ rewritten with their statement in `lang` (a line saying so)."""
    from grader.catalog import kit, metadata
    from grader.learner.reset import relanguage

    try:
        rewritten = relanguage(metadata.load().exercises, kit.default_exercises_dir(), lang)
    except (OSError, metadata.MetadataError):
        return []
    if not rewritten:
        return []
    count = len(rewritten)
    return [tr(TEXT["relanguaged"], count=count, s="s" if count != 1 else "", verb="" if count != 1 else "s",
               name=tr(TEXT[lang]))]


def _shown(path) -> str:
    """The state file as the learner knows it: `.grade/state.json` beside exercises/, or the user's state folder."""
    from pathlib import Path

    path = Path(path)
    return f"{path.parent.name}/{path.name}" if path.parent.name == ".grade" else tr(TEXT["user_state"])
