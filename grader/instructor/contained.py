"""Read a student's entry so that nothing read leaves it: component-wise, through held folder descriptors.

Every path inside an entry is walked one component at a time with `openat`-style calls relative
to a folder descriptor already opened (`O_NOFOLLOW`), so a symbolic link is seen as a link and
never followed by the kernel behind our back. A link is allowed only while its target stays
inside the entry (a relative target that does not climb above the entry's root); an absolute
target (`/…`, `/proc/self/…`), a climb out with `..`, or a chain of more than `MAX_LINKS` links
is refused with an `Escape` that says so. A folder swapped for a link between two looks fails
the `O_NOFOLLOW` open instead of being followed. Files are read from the descriptor that was
checked, so the bytes handed on are the bytes that were checked (no `realpath` after the fact).
A file that is a hard link to one of the kit's own files is refused too (a shared machine lets a
student make one). Linux and macOS (POSIX `dir_fd` support); messages name files by their path
inside the entry only.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_LINKS = 40  # what the kernel allows in one path resolution
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class Escape(Exception):
    """A path of the entry leads outside it (or cannot be read safely); the message says which and why."""


class TooLarge(Exception):
    """A file of the entry is larger than the caller accepts."""


@dataclass(frozen=True)
class Probe:
    """What a path inside the entry is: "file", "dir", "missing", "other" (fifo, device…) or "refused" (`reason`)."""

    kind: str
    reason: str | None = None


def shown(parts: tuple[str, ...]) -> str:
    """A path inside the entry as a learner or teacher reads it (`exercises/ex02_cost.py`)."""
    return "/".join(parts) or "."


_kit_inodes: frozenset[tuple[int, int]] | None = None


def kit_inodes() -> frozenset[tuple[int, int]]:
    """(device, inode) of every file of the kit's grader/ and solutions/, computed once."""
    global _kit_inodes
    if _kit_inodes is None:
        from grader.catalog import kit

        found = set()
        for root in (kit.GRADER_DIR, kit.SOLUTIONS_DIR):
            for folder, _dirs, files in os.walk(root):
                for name in files:
                    try:
                        info = os.lstat(os.path.join(folder, name))
                    except OSError:
                        continue
                    found.add((info.st_dev, info.st_ino))
        _kit_inodes = frozenset(found)
    return _kit_inodes


class ContainedTree:
    """One entry of a class folder (or a `--dir` folder), read without ever leaving it."""

    def __init__(self, root: Path, what: str = "the submission folder", kit_links_refused: bool = True) -> None:
        self.what = what
        self.kit_links_refused = kit_links_refused  # False: the folder is the kit's own (`grade run --dir solutions`)
        try:
            self.root_fd = os.open(root, _DIR_FLAGS)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(root):
                raise Escape(f"{what} is a symbolic link (not followed)") from None
            raise

    def close(self) -> None:
        if self.root_fd >= 0:
            os.close(self.root_fd)
            self.root_fd = -1

    def __enter__(self) -> "ContainedTree":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # resolution ------------------------------------------------------------------------------------
    def _resolve(self, parts: tuple[str, ...]) -> tuple[int, str | None, list[int]]:
        """(descriptor of the folder holding the last component, its name or None for the root, fds to close).

        The last component itself is not a link when it exists (links are followed, inside the entry).
        """
        stack = [self.root_fd]
        owned: list[int] = []
        pending = [p for p in parts if p not in ("", ".")]
        pending.reverse()  # a stack: the next component is pending[-1]
        links = 0
        try:
            while pending:
                name = pending.pop()
                if name in ("", "."):
                    continue
                if name == "..":
                    if len(stack) == 1:
                        raise Escape(f"{shown(parts)} leads outside {self.what} (through '..')")
                    stack.pop()
                    continue
                if "/" in name or "\0" in name:
                    raise Escape(f"{shown(parts)} is not a plain path inside {self.what}")
                try:
                    info = os.stat(name, dir_fd=stack[-1], follow_symlinks=False)
                except FileNotFoundError:
                    if pending:
                        raise
                    return stack[-1], name, owned
                if stat.S_ISLNK(info.st_mode):
                    links += 1
                    if links > MAX_LINKS:
                        raise Escape(f"{shown(parts)} goes through more than {MAX_LINKS} symbolic links")
                    target = os.readlink(name, dir_fd=stack[-1])
                    if target.startswith("/"):
                        where = " (through /proc)" if target.startswith("/proc/") else " (an absolute link)"
                        raise Escape(f"{shown(parts)} is a symbolic link that leads outside {self.what}{where}; "
                                     "it was not read")
                    for component in reversed(PurePosixPath(target).parts):
                        pending.append(component)
                    continue
                if not pending:
                    return stack[-1], name, owned
                if not stat.S_ISDIR(info.st_mode):
                    raise NotADirectoryError(errno.ENOTDIR, "not a folder")
                try:
                    fd = os.open(name, _DIR_FLAGS, dir_fd=stack[-1])
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise Escape(f"{shown(parts)} changed while it was being read; it was not read") from None
                    raise
                owned.append(fd)
                stack.append(fd)
            return stack[-1], None, owned
        except BaseException:
            for fd in owned:
                os.close(fd)
            raise

    def _open(self, parts: tuple[str, ...], flags: int) -> int:
        folder, name, owned = self._resolve(parts)
        try:
            if name is None:
                return os.dup(folder) if flags == _DIR_FLAGS else os.open(".", flags, dir_fd=folder)
            try:
                return os.open(name, flags, dir_fd=folder)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise Escape(f"{shown(parts)} changed while it was being read; it was not read") from None
                raise
        finally:
            for fd in owned:
                os.close(fd)

    # questions -------------------------------------------------------------------------------------
    def probe(self, *parts: str) -> Probe:
        """What `parts` is inside the entry, following links only while they stay inside it."""
        try:
            folder, name, owned = self._resolve(tuple(parts))
        except Escape as exc:
            return Probe("refused", str(exc))
        except FileNotFoundError:
            return Probe("missing")
        except OSError:
            return Probe("missing")
        try:
            if name is None:
                return Probe("dir")
            try:
                info = os.stat(name, dir_fd=folder, follow_symlinks=False)
            except FileNotFoundError:
                return Probe("missing")
            if stat.S_ISDIR(info.st_mode):
                return Probe("dir")
            if stat.S_ISREG(info.st_mode):
                return Probe("file")
            return Probe("other", f"{shown(tuple(parts))} is not a regular file")
        except OSError:
            return Probe("missing")
        finally:
            for fd in owned:
                os.close(fd)

    def listdir(self, *parts: str) -> list[str]:
        """The names in a folder of the entry, sorted (OSError/Escape when it is not one)."""
        fd = self._open(tuple(parts), _DIR_FLAGS)
        try:
            return sorted(os.listdir(fd))
        finally:
            os.close(fd)

    def read(self, *parts: str, limit: int) -> bytes:
        """The bytes of a regular file of the entry, read from the descriptor that was checked."""
        fd = self._open(tuple(parts), _FILE_FLAGS)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise Escape(f"{shown(tuple(parts))} is not a regular file; it was not read")
            if self.kit_links_refused and (info.st_dev, info.st_ino) in kit_inodes():
                raise Escape(f"{shown(tuple(parts))} is a hard link to one of the grader's own files; it was not read")
            if info.st_size > limit:
                raise TooLarge(f"{shown(tuple(parts))} is larger than {limit // 1024**2} MiB")
            chunks, total = [], 0
            while chunk := os.read(fd, 1 << 20):
                total += len(chunk)
                if total > limit:  # grew while being read
                    raise TooLarge(f"{shown(tuple(parts))} is larger than {limit // 1024**2} MiB")
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)
