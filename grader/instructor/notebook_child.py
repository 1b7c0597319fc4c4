"""Turn one entry's notebooks into modules in a child process with memory, CPU and output limits.

A notebook is the student's JSON and Python: deeply nested JSON, cells of the wrong type, or an
expression bomb (a chain of a million `+` that the parser turns into a tree deep enough to take
the interpreter down) must cost at most this child, never the batch that grades the class. The
parent (`convert`) writes the notebooks' bytes into a private folder, runs this module on it
under `resource` limits, and reads back one module per exercise or the reason it has none; a
child that dies or runs out of time fails only that entry, with a reason the teacher can read.

Protocol: `python -m grader.instructor.notebook_child IN OUT`: IN holds `<exercise>.ipynb`,
the child writes `OUT/<exercise>.py` and prints `{"problems": {exercise: reason}}` on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MEMORY_BYTES = 1024**3  # address space of the child
CPU_SECONDS = 30
WALL_SECONDS = 120
MAX_MODULE_BYTES = 5 * 1024**2


def cells(data: bytes) -> list[tuple[str, bool]]:
    """(source, ran without error) of each code cell of an .ipynb; ValueError says what is wrong with it."""
    try:
        notebook = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("the notebook is not UTF-8 text") from None
    except RecursionError:
        raise ValueError("the notebook's JSON is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"the notebook is not valid JSON (line {exc.lineno})") from None
    found = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(found, list):
        raise ValueError("not a Jupyter notebook (no list of cells)")
    result = []
    for number, cell in enumerate(found, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise ValueError(f"code cell {number} has a source that is not text")
        outputs = cell.get("outputs", [])
        if not isinstance(outputs, list):
            raise ValueError(f"code cell {number} has outputs that are not a list")
        failed = any(isinstance(o, dict) and o.get("output_type") == "error" for o in outputs)
        result.append((source, not failed))
    return result


def _module_code(pairs: list[tuple[str, bool]]) -> str:
    for name in ("grader.grading.notebook", "grader.instructor.notebook", "grader.notebook"):
        try:
            module = __import__(name, fromlist=["module_code"])
        except ImportError:
            continue
        return module.module_code(pairs)
    raise ImportError("the kit's notebook module is missing")


def _one(path: Path) -> str:
    try:
        code = _module_code(cells(path.read_bytes()))
    except RecursionError:
        raise ValueError("its code is nested too deeply to read") from None
    except MemoryError:
        raise ValueError("its code is too large to read") from None
    if len(code.encode("utf-8", "backslashreplace")) > MAX_MODULE_BYTES:
        raise ValueError(f"its code is larger than {MAX_MODULE_BYTES // 1024**2} MiB")
    return code


def child_main(source: Path, target: Path) -> dict:
    problems = {}
    for path in sorted(source.glob("*.ipynb")):
        try:
            code = _one(path)
        except ValueError as exc:
            problems[path.stem] = str(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - any failure on learner input is that notebook's reason
            problems[path.stem] = f"it could not be read ({type(exc).__name__})"
            continue
        (target / f"{path.stem}.py").write_text(code, encoding="utf-8", errors="backslashreplace")
    return {"problems": problems}


def _limits() -> None:  # pragma: no cover - runs in the child between fork and exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    big = MAX_MODULE_BYTES * 2
    resource.setrlimit(resource.RLIMIT_FSIZE, (big, big))


def convert(notebooks: dict[str, bytes], work: Path) -> tuple[dict[str, str], dict[str, str]]:
    """({exercise: module code}, {exercise: why it has none}) for the given notebook bytes."""
    from grader.catalog import kit

    source, target = work / "notebooks", work / "converted"
    source.mkdir(parents=True, exist_ok=True)
    target.mkdir(parents=True, exist_ok=True)
    for exercise, data in notebooks.items():
        (source / f"{exercise}.ipynb").write_bytes(data)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONSTARTUP", "PYTHONINSPECT")}
    try:
        process = subprocess.run(
            [sys.executable, "-m", "grader.instructor.notebook_child", str(source), str(target)],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=WALL_SECONDS, cwd=str(kit.KIT_ROOT), env=env,
            preexec_fn=_limits if os.name == "posix" else None)
    except subprocess.TimeoutExpired:
        return {}, {exercise: f"reading it took longer than {WALL_SECONDS} s" for exercise in notebooks}
    try:
        problems = json.loads(process.stdout.decode("utf-8").strip().splitlines()[-1])["problems"]
    except (IndexError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        why = ("reading it used more than the CPU time allowed" if process.returncode in (-24, -9)
               else "reading it took more memory or stack than allowed" if process.returncode < 0
               else "it could not be read")
        return {}, {exercise: why for exercise in notebooks}
    codes = {}
    for exercise in notebooks:
        if exercise in problems:
            continue
        try:
            codes[exercise] = (target / f"{exercise}.py").read_text(encoding="utf-8")
        except OSError:
            problems[exercise] = "it could not be read"
    return codes, {str(k): str(v) for k, v in problems.items()}


if __name__ == "__main__":
    sys.setrecursionlimit(2000)
    print(json.dumps(child_main(Path(sys.argv[1]), Path(sys.argv[2]))))
