"""The learner's files, read on the trusted side of confinement: the graded module and its siblings.

A confined worker may not read the submission folder, so whatever learner code it runs is read
for it beforehand, as the grader's user: the graded module, and the other modules of the same
folder, so that `from ex03_manual_gradient import mse_gradients` in ex04 imports the learner's own
ex03, confined the same way (never the reference: only the graded folder is read). A symbolic
link (to a classmate's file, to /etc/shadow) or anything but a regular file is refused: it would
be shown back through error messages.
"""

from __future__ import annotations

import os
import stat

MAX_SOURCE_BYTES = 2 * 1024**2
MAX_SIBLINGS = 64
MAX_SIBLING_BYTES = 8 * 1024**2  # all siblings together
_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
          | getattr(os, "O_BINARY", 0))  # O_BINARY: Windows must not translate CRLF or stop at Ctrl-Z


def read_source(path: str, limit: int = MAX_SOURCE_BYTES) -> bytes | None:
    """A regular file's bytes (at most `limit` + 1, so an oversized one shows), or None."""
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):  # where O_NOFOLLOW does not exist (Windows)
            return None
        fd = os.open(path, _FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit + 1)
    finally:
        os.close(fd)


def read_siblings(path: str) -> dict[str, tuple[str, bytes]]:
    """{module name: (path, source)} of the other importable modules beside `path` (bounded)."""
    folder, own = os.path.split(os.path.abspath(path))
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return {}
    found: dict[str, tuple[str, bytes]] = {}
    total = 0
    for name in names:
        stem, extension = os.path.splitext(name)
        if extension != ".py" or name == own or not stem.isidentifier() or stem.startswith("__"):
            continue
        if len(found) >= MAX_SIBLINGS:
            break
        sibling = os.path.join(folder, name)
        source = read_source(sibling)
        if source is None or len(source) > MAX_SOURCE_BYTES or total + len(source) > MAX_SIBLING_BYTES:
            continue
        total += len(source)
        found[stem] = (sibling, source)
    return found


def decode(source: bytes) -> str:
    """Source text as an editor shows it: a UTF-8 byte-order mark (Windows editors) dropped."""
    return source.decode("utf-8-sig", "replace")
