"""The entries of a class folder: which are submissions, and the folder of modules each one becomes.

One entry per student: a folder laid out like `exercises/` (or a repository with `exercises/`
inside), a `.zip` of either, or nbgrader's `submitted/<student>/<assignment>/*.ipynb`. Zips are
checked from their own directory record first (`zipcheck`), then extracted by the trusted side
with limits (no absolute or `..` paths, no links, bounded sizes and counts). Entries are read
through `contained` (no link leads out of an entry) and staged into a private folder
(`staging`); notebooks become modules in a limited child process (`notebook_child`). Entries
that would share a student's files are flagged (`identity`). Nothing here runs learner code.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.catalog import metadata
from grader.instructor import identity, notebook_child, staging, zipcheck
from grader.instructor.contained import ContainedTree, Escape
from grader.instructor.locate import looked_for, module_names, present

MAX_ZIP_BYTES = 200 * 1024**2  # the archive itself
MAX_EXTRACTED_BYTES = 50 * 1024**2  # everything extracted from one archive
MAX_MEMBER_BYTES = 10 * 1024**2  # one extracted file
MAX_MEMBERS = 2000
MAX_DIRECTORY_BYTES = 4 * 1024**2  # the archive's central directory (MAX_MEMBERS entries with long names)
MAX_NOTEBOOK_BYTES = staging.MAX_NOTEBOOK_BYTES
MAX_MODULE_BYTES = staging.MAX_MODULE_BYTES
_IGNORED_ZIP_PARTS = {"__MACOSX", ".git", "__pycache__", ".ipynb_checkpoints"}


@dataclass
class Entry:
    """One student's submission, ready to grade (`folder`), or graded as zero (`problem`)."""

    student: str
    source: str  # the entry's path in the class folder (`submitted/<student>` in an nbgrader course), as on disk
    kind: str  # "folder", "zip", "nbgrader"
    folder: Path | None = None
    problem: str | None = None  # "empty: …" / "unreadable: …" / "refused: …": graded as zero, with this reason
    digest: str = ""  # sha256 over the graded modules (names and contents)
    modules: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # paths of the entry not read: they lead outside it
    notes: list[str] = field(default_factory=list)  # other files of the entry that could not be used
    conflict: str | None = None  # the other entries that clean up to the same student id
    stem: str = ""  # the file name of its report and feedback (unique in the class)

    @property
    def status(self) -> str:
        if self.problem:
            return self.problem.split(":", 1)[0]
        return "conflict" if self.conflict else "refused" if self.refused else "graded"

    @property
    def reason(self) -> str:
        """Everything the teacher should know about this entry, on one line (empty when nothing)."""
        parts = [self.problem.split(": ", 1)[-1]] if self.problem else []
        if self.conflict:
            parts.append(self.conflict)
        if not (self.problem and self.problem.startswith("refused")):
            parts += [f"not read: {reason}" for reason in self.refused]
        parts += self.notes
        return "; ".join(parts)


@dataclass
class Skipped:
    """An entry of the class folder that is not a submission, and why."""

    name: str
    reason: str


class ZipRefused(ValueError):
    """The archive is unreadable or breaks a limit; the message is for the instructor."""


def safe_extract(archive: Path, target: Path) -> None:
    """Extract regular files only, within the limits; ZipRefused otherwise (target may hold a partial tree)."""
    if archive.stat().st_size > MAX_ZIP_BYTES:
        raise ZipRefused(f"the archive is larger than {MAX_ZIP_BYTES // 1024**2} MiB")
    try:  # before zipfile builds its listing: what the archive's directory claims
        claims = zipcheck.inspect(archive, max_entries=MAX_MEMBERS, max_directory_bytes=MAX_DIRECTORY_BYTES)
    except zipcheck.ArchiveRefused as exc:
        raise ZipRefused(str(exc)) from None
    except OSError as exc:
        raise ZipRefused(f"not a readable zip file ({type(exc).__name__})") from None
    if claims.uncompressed_bytes > MAX_EXTRACTED_BYTES:
        raise ZipRefused(f"the archive says it extracts to more than {MAX_EXTRACTED_BYTES // 1024**2} MiB")
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            if len(members) > MAX_MEMBERS:
                raise ZipRefused(f"the archive holds more than {MAX_MEMBERS} files")
            total = 0
            for member in members:
                parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                if member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                    raise ZipRefused(f"the archive holds a path outside itself ({member.filename[:80]!r})")
                if member.is_dir() or not parts or _IGNORED_ZIP_PARTS & set(parts):
                    continue
                mode = member.external_attr >> 16
                if stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # no type bits: an ordinary file (Windows tools)
                    raise ZipRefused(f"the archive holds a link or special file ({member.filename[:80]!r})")
                if member.file_size > MAX_MEMBER_BYTES:
                    raise ZipRefused(f"{parts[-1][:80]!r} is larger than {MAX_MEMBER_BYTES // 1024**2} MiB")
                destination = target.joinpath(*parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as source, open(destination, "wb") as sink:
                    while chunk := source.read(1 << 16):  # sizes in the header may lie: count what comes out
                        total += len(chunk)
                        if total > MAX_EXTRACTED_BYTES:
                            raise ZipRefused(f"the archive extracts to more than {MAX_EXTRACTED_BYTES // 1024**2} MiB")
                        if sink.tell() + len(chunk) > MAX_MEMBER_BYTES:
                            raise ZipRefused(f"{parts[-1][:80]!r} is larger than {MAX_MEMBER_BYTES // 1024**2} MiB")
                        sink.write(chunk)
    except ZipRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
            ValueError) as exc:
        raise ZipRefused(f"not a readable zip file ({type(exc).__name__})") from None


def digest_modules(folder: Path, names: list[str]) -> str:
    """sha256 over the names and contents of the kit modules in `folder` (missing ones count as missing)."""
    h = hashlib.sha256()
    for name in names:
        path = folder / name
        h.update(name.encode() + b"\0")
        if path.is_file() and not path.is_symlink():
            h.update(b"file\0" + hashlib.sha256(path.read_bytes()).digest())
        else:
            h.update(b"missing\0")
    return h.hexdigest()


def _refused(reasons: list[str]) -> str:
    return "; ".join(dict.fromkeys(reasons))


def prepare(entry: Entry, root: Path, work: Path, catalog: metadata.Catalog) -> Entry:
    """Turn the class folder's entry into a private folder of modules under `work` (or set its problem).

    Never raises for anything the entry holds: any failure makes the entry `unreadable`, with its reason.
    """
    try:
        return _prepare(entry, root, work, catalog)
    except Exception as exc:  # noqa: BLE001 - one bad entry must never stop the class
        entry.folder = None
        entry.problem = f"unreadable: the submission could not be prepared for grading ({type(exc).__name__})"
        return entry


def _prepare(entry: Entry, root: Path, work: Path, catalog: metadata.Catalog) -> Entry:
    names = module_names(catalog)
    staged = work / "modules"
    described = "archive" if entry.kind == "zip" else "folder"
    source = root / entry.source
    if entry.kind == "zip":
        extracted = work / "extracted"
        extracted.mkdir(parents=True, exist_ok=True)
        try:
            safe_extract(source, extracted)
        except ZipRefused as exc:
            entry.problem = f"unreadable: {exc}"
            return entry
        source = extracted
    try:
        with ContainedTree(source, f"the submission {described}") as tree:
            found = staging.find(tree, names, [e.id for e in catalog.exercises])
            if found.modules:
                found.refused += staging.copy_modules(tree, found, staged)
            elif found.notebooks:
                chosen, refused, problems = staging.read_notebooks(tree, found)
                found.refused += refused
                entry.kind = "nbgrader" if entry.kind == "folder" else entry.kind
                codes, why = notebook_child.convert(chosen, work / "notebooks") if chosen else ({}, {})
                staged.mkdir(parents=True, exist_ok=True)
                for exercise_id, code in codes.items():
                    (staged / f"{exercise_id}.py").write_text(code, encoding="utf-8")
                problems += [f"{exercise_id}/{exercise_id}.ipynb: {reason}" for exercise_id, reason in why.items()]
                if not present(staged, names) and not found.refused:
                    entry.problem = "unreadable: " + ("; ".join(problems) or "no notebook could be read")
                    return entry
                entry.notes += problems
    except Escape as exc:
        entry.problem = f"refused: {exc}"
        return entry
    except OSError as exc:
        entry.problem = f"unreadable: the submission {described} could not be read ({type(exc).__name__})"
        return entry
    if found.refused:
        entry.refused = list(dict.fromkeys(found.refused))
    if not present(staged, names):
        if found.refused:
            entry.problem = f"refused: {_refused(found.refused)}"
        elif found.empty:
            entry.problem = f"empty: the submission {described} is empty"
        else:
            entry.problem = (f"empty: no exercise modules ({looked_for(names)}) in the submission {described}, "
                             "in an exercises/ folder inside it, or as nbgrader notebooks (<exercise>/*.ipynb)")
        return entry
    entry.folder = staged
    entry.modules = list(present(staged, names))
    entry.digest = digest_modules(staged, names)
    return entry


def _other_name(entry: Entry, other: Entry) -> str:
    name = identity.student_id(other.source.rsplit("/", 1)[-1])[0]
    same = name == identity.student_id(entry.source.rsplit("/", 1)[-1])[0]
    return f"{name} (the same name written in another Unicode form)" if same else name


def scan(root: Path, catalog: metadata.Catalog, exclude: Path | None = None) -> tuple[list[Entry], list[Skipped]]:
    """Classify the entries of the class folder; `root` may also be an nbgrader course (its `submitted/`).

    Entries whose ids would share files are all kept and flagged (`conflict`), each with its own `stem`.
    """
    root = Path(root)
    prefix = ""
    if (root / "submitted").is_dir() and (root / "nbgrader_config.py").is_file():
        root, prefix = root / "submitted", "submitted/"
    entries, skipped = [], []
    excluded = exclude.resolve() if exclude is not None else None
    for child in sorted(root.iterdir(), key=lambda p: os.fsencode(p.name)):
        name, note = identity.student_id(child.name)
        if child.name.startswith("."):
            continue  # .DS_Store, .git, the kit's own caches
        try:
            if excluded is not None and child.resolve() == excluded:
                continue
            info = child.lstat()
        except (OSError, RuntimeError):
            skipped.append(Skipped(name, "could not be read"))
            continue
        if stat.S_ISLNK(info.st_mode):
            skipped.append(Skipped(name, "a symbolic link (not followed)"))
        elif stat.S_ISDIR(info.st_mode):
            entries.append(Entry(student=name, source=prefix + child.name, kind="folder"))
        elif stat.S_ISREG(info.st_mode) and child.suffix.lower() == ".zip":
            entries.append(Entry(student=identity.student_id(child.name[:-4])[0], source=prefix + child.name,
                                 kind="zip"))
        elif stat.S_ISREG(info.st_mode):
            skipped.append(Skipped(name, "a file that is not a .zip (one folder or .zip per student)"))
        else:
            skipped.append(Skipped(name, "not a regular file or folder"))
        if note and entries and entries[-1].source == prefix + child.name:
            entries[-1].notes.append(note)
    clashes = identity.conflicts(entries)
    for index, entry in enumerate(entries):
        others = clashes.get(index)
        if others:
            names = ", ".join(_other_name(entry, entries[other]) for other in others)
            entry.conflict = (f"the same student id as {names}: both were graded, neither is in the grade book "
                              "until one is renamed or removed (see docs/instructors.md)")
        entry.stem = identity.file_stem(entry.student, entry.source, bool(others))
    return entries, skipped
