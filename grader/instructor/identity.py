"""Who an entry of a class folder belongs to: a readable student id, and conflicts between entries that would share one.

A name on disk is whatever bytes the student's tools made: `unzip` of a Windows-made archive
writes Korean names as CP949 bytes, which are not UTF-8. `student_id` gives the name as text
(UTF-8, else CP949, else with the undecodable bytes shown as `\\xNN`), normalised to NFC (macOS
writes Hangul decomposed). Two entries conflict when their ids become the same file name once
cleaned, compared without case (`bob/`, `bob.zip`, `bob.ZIP`, `Bob/`, `bob!`, `bob?`): neither
is dropped, both are graded, each writes its own files (`file_stem`) and both are flagged.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections import defaultdict


def student_id(name: str) -> tuple[str, str | None]:
    """(the entry's name as text, a note when it was not UTF-8) for a name read from disk (surrogate-escaped)."""
    raw = os.fsencode(name)
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8")), None
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp949")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), "the entry's name is not UTF-8 text; undecodable bytes are shown as \\xNN"
    return unicodedata.normalize("NFC", text), "the entry's name is not UTF-8; it was read as CP949 (Korean Windows)"


def safe_name(student: str) -> str:
    """A student id as a file name: letters, digits and `._@+-` kept, anything else `_`, no leading dot."""
    cleaned = "".join(c if c.isalnum() or c in "._@+-" else "_" for c in student).lstrip(".")
    return cleaned or "_"


def collision_key(student: str) -> str:
    """What two ids must differ in to get files of their own on any file system (case-insensitive ones too)."""
    return unicodedata.normalize("NFKC", safe_name(student)).casefold()


def conflicts(entries: list) -> dict[int, list[int]]:
    """{index: indexes of the other entries it conflicts with} over objects with `.student`."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        groups[collision_key(entry.student)].append(index)
    return {index: [other for other in group if other != index]
            for group in groups.values() if len(group) > 1 for index in group}


def file_stem(student: str, source: str, conflicted: bool) -> str:
    """The file name (without suffix) of an entry's report and feedback.

    An entry in conflict gets `<name>~<digest of its source>`: `~` never survives `safe_name`, so no
    other entry, whatever it is called, can be given the same stem.
    """
    if not conflicted:
        return safe_name(student)
    digest = hashlib.sha256(os.fsencode(source)).hexdigest()[:8]
    return f"{safe_name(student)}~{digest}"
