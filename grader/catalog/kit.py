"""Where the kit's parts live on disk."""

from __future__ import annotations

from pathlib import Path

GRADER_DIR = Path(__file__).resolve().parents[1]  # grader/ (this file is grader/catalog/kit.py)
KIT_ROOT = GRADER_DIR.parent
CURRICULUM_DIR = GRADER_DIR / "curriculum"  # one folder per exercise
PYTEST_INI = GRADER_DIR / "grading" / "pytest.ini"  # isolates the checks from any configuration around the kit
SOLUTIONS_DIR = KIT_ROOT / "solutions"
RECORDED_ORACLE = Path("grader") / "recorded" / "oracle.pt"  # a student kit's recorded references, from its root


def has_solutions() -> bool:
    """Whether this is the full kit (reference solutions, hidden checks), not a student release."""
    return (SOLUTIONS_DIR / "__init__.py").is_file()


def default_exercises_dir(cwd: Path | None = None) -> Path:
    """`exercises/` in the current folder if there is one, else the kit's own."""
    here = (cwd or Path.cwd()) / "exercises"
    return here if here.is_dir() else KIT_ROOT / "exercises"
