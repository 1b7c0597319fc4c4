"""The entries of a class folder: which are submissions, and the folder of modules each one becomes.

One entry per student: a folder laid out like `exercises/` (or a repository with `exercises/`
inside), a `.zip` of either, or nbgrader's `submitted/<student>/<assignment>/*.ipynb`. Zips are
extracted by the trusted side with limits (no absolute or `..` paths, no links, bounded sizes
and counts); notebooks become modules with the kit's own notebook code. Nothing here runs
learner code.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.catalog import metadata
from grader.instructor.locate import NoModules, locate, looked_for, module_names, present

MAX_ZIP_BYTES = 200 * 1024**2  # the archive itself
MAX_EXTRACTED_BYTES = 50 * 1024**2  # everything extracted from one archive
MAX_MEMBER_BYTES = 10 * 1024**2  # one extracted file
MAX_MEMBERS = 2000
MAX_NOTEBOOK_BYTES = 20 * 1024**2
MAX_MODULE_BYTES = 5 * 1024**2
_IGNORED_ZIP_PARTS = {"__MACOSX", ".git", "__pycache__", ".ipynb_checkpoints"}


@dataclass
class Entry:
    """One student's submission, ready to grade (`folder`), or graded as zero (`problem`)."""

    student: str
    source: str  # the entry's path in the class folder (`submitted/<student>` in an nbgrader course)
    kind: str  # "folder", "zip", "nbgrader"
    folder: Path | None = None
    problem: str | None = None  # "empty: …" / "unreadable: …": graded as zero, with this reason
    digest: str = ""  # sha256 over the graded modules (names and contents)
    modules: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.problem.split(":", 1)[0] if self.problem else "graded"


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


def notebook_cells(path: Path) -> list[tuple[str, bool]]:
    """(source, ran without error) of each code cell of an .ipynb, read as plain JSON."""
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the notebook is larger than {MAX_NOTEBOOK_BYTES // 1024**2} MiB")
    data = json.loads(path.read_text(encoding="utf-8"))
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise ValueError("not a Jupyter notebook (no cells)")
    found = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        outputs = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
        failed = any(isinstance(o, dict) and o.get("output_type") == "error" for o in outputs)
        found.append((source, not failed))
    return found


def _module_code(cells: list[tuple[str, bool]]) -> str:
    try:
        from grader.instructor.notebook import module_code
    except ImportError:
        from grader.grading.notebook import module_code
    return module_code(cells)


def notebook_folders(folder: Path, catalog: metadata.Catalog) -> dict[str, list[Path]]:
    """nbgrader's layout: `<exercise id>/*.ipynb` folders inside `folder`."""
    found = {}
    for exercise in catalog.exercises:
        inner = folder / exercise.id
        if inner.is_dir() and not inner.is_symlink():
            notebooks = sorted(p for p in inner.glob("*.ipynb") if p.is_file() and not p.is_symlink())
            if notebooks:
                found[exercise.id] = notebooks
    return found


def modules_from_notebooks(notebooks: dict[str, list[Path]], target: Path) -> list[str]:
    """Write `<exercise>.py` from each assignment's notebook (the one named like it, else the first)."""
    target.mkdir(parents=True, exist_ok=True)
    problems = []
    for exercise_id, paths in notebooks.items():
        chosen = next((p for p in paths if p.stem == exercise_id), paths[0])
        try:
            code = _module_code(notebook_cells(chosen))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            problems.append(f"{exercise_id}/{chosen.name}: {exc}")
            continue
        (target / f"{exercise_id}.py").write_text(code, encoding="utf-8")
    return problems


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


def _copy_modules(folder: Path, names: tuple[str, ...], target: Path) -> None:
    """Copy the kit modules the trusted side will hand to workers (regular files only, size-capped)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = folder / name
        if source.stat().st_size > MAX_MODULE_BYTES:
            (target / name).write_text(f"raise ImportError('{name} is larger than the grader accepts')\n")
            continue
        shutil.copyfile(source, target / name)


def _find(folder: Path, catalog: metadata.Catalog):
    """(located modules or None, nbgrader notebooks, folder): descends through lone wrapper folders (a zipped folder)."""
    for _ in range(4):
        notebooks = notebook_folders(folder, catalog)
        try:
            return locate(folder, catalog), notebooks, folder
        except NoModules:
            pass
        if notebooks:
            return None, notebooks, folder
        children = [c for c in folder.iterdir() if c.name not in _IGNORED_ZIP_PARTS and not c.name.startswith(".")]
        if len(children) == 1 and children[0].is_dir() and not children[0].is_symlink():
            folder = children[0]
        else:
            break
    return None, {}, folder


def prepare(entry: Entry, root: Path, work: Path, catalog: metadata.Catalog) -> Entry:
    """Turn the class folder's entry into a folder of modules under `work` (or set its problem)."""
    names = module_names(catalog)
    staged = work / "modules"
    described = "archive" if entry.kind == "zip" else "folder"
    if entry.kind == "zip":
        extracted = work / "extracted"
        extracted.mkdir(parents=True, exist_ok=True)
        try:
            safe_extract(root / entry.source, extracted)
        except ZipRefused as exc:
            entry.problem = f"unreadable: {exc}"
            return entry
        source = extracted
    else:
        source = root / entry.source
    try:
        located, notebooks, source = _find(source, catalog)
    except OSError as exc:
        entry.problem = f"unreadable: the submission {described} could not be read ({type(exc).__name__})"
        return entry
    if located is not None:
        _copy_modules(located.folder, located.found, staged)
    elif notebooks:
        entry.kind = "nbgrader" if entry.kind == "folder" else entry.kind
        problems = modules_from_notebooks(notebooks, staged)
        if not present(staged, names):
            entry.problem = "unreadable: " + "; ".join(problems)
            return entry
    elif not any(source.iterdir()):
        entry.problem = f"empty: the submission {described} is empty"
        return entry
    else:
        entry.problem = (f"empty: no exercise modules ({looked_for(names)}) in the submission {described}, "
                         "in an exercises/ folder inside it, or as nbgrader notebooks (<exercise>/*.ipynb)")
        return entry
    entry.folder = staged
    entry.modules = list(present(staged, names))
    entry.digest = digest_modules(staged, names)
    return entry


def scan(root: Path, catalog: metadata.Catalog, exclude: Path | None = None) -> tuple[list[Entry], list[Skipped]]:
    """Classify the entries of the class folder; `root` may also be an nbgrader course (its `submitted/`)."""
    root = Path(root)
    prefix = ""
    if (root / "submitted").is_dir() and (root / "nbgrader_config.py").is_file():
        root, prefix = root / "submitted", "submitted/"
    entries, skipped = [], []
    excluded = exclude.resolve() if exclude is not None else None
    for child in sorted(root.iterdir(), key=lambda p: p.name):
        if child.name.startswith("."):
            continue  # .DS_Store, .git, the kit's own caches
        if excluded is not None and child.resolve() == excluded:
            continue
        if child.is_symlink():
            skipped.append(Skipped(child.name, "a symbolic link (not followed)"))
        elif child.is_dir():
            entries.append(Entry(student=child.name, source=prefix + child.name, kind="folder"))
        elif child.is_file() and child.suffix.lower() == ".zip":
            entries.append(Entry(student=child.stem, source=prefix + child.name, kind="zip"))
        elif child.is_file():
            skipped.append(Skipped(child.name, "a file that is not a .zip (one folder or .zip per student)"))
        else:
            skipped.append(Skipped(child.name, "not a regular file or folder"))
    seen: dict[str, Entry] = {}
    unique = []
    for entry in entries:
        if entry.student in seen:
            skipped.append(Skipped(entry.source, f"the same student id as {seen[entry.student].source}"))
        else:
            seen[entry.student] = entry
            unique.append(entry)
    return unique, skipped
