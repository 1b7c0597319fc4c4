"""Shared by the autograder bundle builders: the kit's files to ship and the pinned requirements."""

from __future__ import annotations

import tempfile
from importlib import metadata as importlib_metadata
from pathlib import Path

from grader.catalog import kit

_SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


class BundleError(Exception):
    """The bundle can't be written; the message is one line for the instructor."""


def kit_files() -> list[tuple[Path, str]]:
    """(source path, path inside `kit/`) for the grader, the checks, the solutions and pyproject.toml."""
    files = [(kit.KIT_ROOT / "pyproject.toml", "pyproject.toml")] if (kit.KIT_ROOT / "pyproject.toml").is_file() else []
    for root in (kit.GRADER_DIR, kit.SOLUTIONS_DIR):
        if not (root / "__init__.py").is_file():
            raise BundleError(f"the autograder needs the instructor kit: {root.name}/ is missing here "
                              "(run this from the repository, not from a student kit)")
        for path in sorted(root.rglob("*")):
            if path.is_file() and not _SKIPPED_PARTS & set(path.parts) and path.suffix != ".pyc":
                files.append((path, str(path.relative_to(kit.KIT_ROOT))))
    return files + course_files()


def course_files() -> list[tuple[Path, str]]:
    """The course inside the bundle: its folders from outside the kit, and its choice and order of exercises."""
    from grader.catalog import metadata

    if metadata.course_file() is None:
        return []
    catalog = metadata.load()
    curriculum = kit.CURRICULUM_DIR.relative_to(kit.KIT_ROOT)
    files = []
    for folder in metadata.outside_folders(catalog):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not _SKIPPED_PARTS & set(path.parts) and path.suffix != ".pyc":
                files.append((path, str(curriculum / folder.name / path.relative_to(folder))))
    listing = Path(tempfile.mkdtemp(prefix="kit-course-")) / metadata.RELEASED_COURSE_FILE.name
    listing.write_text("exercises = [" + ", ".join(f'"{e.id}"' for e in catalog.exercises) + "]\n", encoding="utf-8")
    return [(path, name) for path, name in files if not name.endswith(f"/{listing.name}")] + [
        (listing, str(curriculum / listing.name))]


def _version(name: str) -> str | None:
    try:
        return importlib_metadata.version(name)
    except importlib_metadata.PackageNotFoundError:
        return None


def requirements() -> dict[str, str]:
    """Pinned versions of what the grader needs, as installed here (torch without its local `+cpu` tag)."""
    found = {}
    for name in ("torch", "numpy", "click", "pytest"):
        version = _version(name)
        if version is not None:
            found[name] = version.split("+", 1)[0]
    return found


def pip_lines(pip: str) -> str:
    """Shell lines installing a CPU build of torch and the grader's other requirements, pinned."""
    pins = requirements()
    torch = f"torch=={pins.pop('torch')}" if "torch" in pins else "torch"
    others = " ".join(f"{name}=={version}" for name, version in pins.items())
    return (f'{pip} install --no-cache-dir "{torch}" --index-url {TORCH_CPU_INDEX}\n'
            f"{pip} install --no-cache-dir {others}\n")


FIND_PYTHON = r'''# a Python >= 3.11 (the kit's floor); Ubuntu 22.04 images have 3.10, so install 3.11 there
PY=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    PY="$(command -v "$candidate")"; break
  fi
done
if [ -z "$PY" ]; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3.11 python3.11-venv
  PY="$(command -v python3.11)"
fi
'''


def close_kit(folder: str) -> str:
    """Shell lines closing the kit under `folder` to everyone but root, except its public data sets.

    Learner code runs in confined workers under a uid of its own: it must not read the checks or
    the reference solutions, yet the exercises read the kit's data sets (grader/data, which every
    learner's own kit ships), reached through folders a worker may pass but not list.
    """
    return (f'chmod -R go-rwx "{folder}"\n'
            f'chmod go+x "{folder}" "{folder}/kit" "{folder}/kit/grader"\n'
            f'chmod -R go+rX "{folder}/kit/grader/data"\n')

