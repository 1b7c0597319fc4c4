"""Shared set-up: one warm zygote for the whole test session, and helpers to grade a folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.catalog import kit, metadata
from grader.sandbox import backend

CORPUS = Path(__file__).parent / "corpus"

_zygote = backend.start()  # before torch is imported by the tests, so the imports overlap


def pytest_sessionfinish(session, exitstatus):
    _zygote.close()


@pytest.fixture(autouse=True)
def _no_remembered_language(monkeypatch):
    """A `grade lang ko` remembered in the kit's own state never changes the language the tests see."""
    from grader import i18n

    monkeypatch.setattr(i18n, "load_remembered", lambda: None)
    yield
    i18n.use_remembered(None)


@pytest.fixture(scope="session")
def zygote():
    return _zygote


@pytest.fixture(scope="session")
def catalog():
    return metadata.load()


@pytest.fixture(scope="session")
def grade(zygote, catalog):
    """grade(folder, exercise_ids=None, follow_dependencies=True) -> Report, in-process."""
    from grader.grading.oracle import LiveOracle
    from grader.grading.runner import run

    oracle = LiveOracle()

    def _grade(folder: Path, exercise_ids=None, follow_dependencies: bool = True, seed: int | None = None):
        chosen = metadata.resolve(catalog, list(exercise_ids or []))
        kwargs = {} if seed is None else {"seed": seed}
        report = run(chosen, folder, zygote=zygote, oracle=oracle, follow_dependencies=follow_dependencies, **kwargs)
        assert not report.internal_errors, report.internal_errors
        return report

    return _grade


def corpus_files(kind: str) -> list[Path]:
    """Every corpus module of a kind: tests/corpus/<kind>/<exercise>/<name>.py."""
    return sorted((CORPUS / kind).glob("ex*/*.py")) + sorted((CORPUS / kind).glob("*.py"))


def expectations(path: Path) -> dict[str, str]:
    """`# key: value` lines at the top of a corpus file."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        if value:
            found[key.strip()] = value.strip()
    return found


def stage(path: Path, exercise_id: str, tmp_path: Path) -> Path:
    """Copy a corpus module into a fresh folder under its exercise's file name."""
    folder = tmp_path / path.stem
    folder.mkdir()
    shutil.copy(path, folder / f"{exercise_id}.py")
    return folder


@pytest.fixture(scope="session")
def solutions_dir() -> Path:
    return kit.SOLUTIONS_DIR
