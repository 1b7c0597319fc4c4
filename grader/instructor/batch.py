"""`grade batch`: grade a whole class, in parallel, resumably, with the same report `grade run --dir` gives.

The trusted parent (this module) never imports torch and never runs learner code: it reads the
class folder, extracts archives with limits, keeps the cache and writes the outputs. Grading
happens in `--jobs` grading processes (`batch_worker`), each with its own zygote forking one
confined worker per learner module, and one memoizing oracle, so the reference answers and
mistake variants are computed once per process rather than once per student.

Every result is cached under a key made of the submission's module contents, the seed, the
exercises chosen and a fingerprint of the kit (its version and the content of its grader and
solutions): a re-run grades only what is new or changed, and an interrupted run loses at most
the students being graded at that moment. Files are written atomically.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import queue
import secrets
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from grader.catalog import kit, metadata
from grader.instructor import identity
from grader.reporting import safetext
from grader.instructor import submissions as subs
from grader.instructor.summary import render_markdown, summarize

CACHE_FORMAT = "grade-batch-cache/1"
READY_TIMEOUT = 240.0
KEY_LAYERS_ALL = ("landlock",)
KEY_LAYERS_ANY = ("pid-namespace", "unprivileged")


class BatchError(Exception):
    """The batch could not run; `status` is the exit status (1: environment, 2: usage)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


class GraderFailure(Exception):
    """A grading process failed on a submission (crash, hang, garbled reply): the grader's fault."""


def missing_key_layers(layers: list[str]) -> list[str]:
    """The key confinement layers absent from `layers` (empty: confined enough to grade other people's code)."""
    missing = [layer for layer in KEY_LAYERS_ALL if layer not in layers]
    if not any(layer in layers for layer in KEY_LAYERS_ANY):
        missing.append(" or ".join(KEY_LAYERS_ANY))
    return missing


def refusal(layers: list[str]) -> str:
    missing = missing_key_layers(layers)
    return (f"refusing to grade other people's code without {', '.join(missing)} "
            f"(active confinement: {', '.join(layers) or 'none'}); see docs/security.md for what each layer needs, "
            "or pass --allow-unconfined to grade anyway")


# the kit's fingerprint and atomic files ----------------------------------------------------------
def fingerprint() -> str:
    """The kit version plus a digest of every file that can change a verdict (grader/, solutions/)."""
    from grader.reporting.report import kit_version

    h = hashlib.sha256(f"{kit_version()}\0{sys.version_info[:2]}\0".encode())
    course = metadata.course_file()
    if course is not None:  # the course's choice and order, and its folders outside the kit
        h.update(course.read_bytes() if course.is_file() else b"missing course")
    for root in (kit.GRADER_DIR, kit.SOLUTIONS_DIR, *metadata.outside_folders(metadata.load())):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".png"):
                h.update(str(path.relative_to(root.parent)).encode() + b"\0")
                h.update(hashlib.sha256(path.read_bytes()).digest())
    try:
        from importlib import metadata as importlib_metadata

        h.update(importlib_metadata.version("torch").encode())
    except Exception:  # noqa: BLE001 - torch not installed as a distribution: the version check in the report stays
        pass
    return h.hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as sink:
            sink.write(data)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


safe_name = identity.safe_name  # a student id as a file name


def new_run_id() -> tuple[str, str]:
    """(run id, start time in UTC, ISO 8601): names the run that wrote a set of outputs."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}", now.isoformat()


CLASS_OUTPUTS = ("grades.csv", "summary.json", "summary.md", "scores.png", "mistakes.png")


def set_aside_previous(out: Path) -> None:
    """Move the last run's class outputs into `previous/` before grading, so a run that stops leaves no stale grades.csv."""
    earlier = [name for name in CLASS_OUTPUTS if (out / name).is_file()]
    if not earlier:
        return
    previous = out / "previous"
    previous.mkdir(exist_ok=True)
    for name in CLASS_OUTPUTS:
        (previous / name).unlink(missing_ok=True)
    for name in earlier:
        os.replace(out / name, previous / name)


# grading processes -------------------------------------------------------------------------------
class GradingProcess:
    """A `batch_worker` subprocess; JSON lines over its stdin/stdout."""

    def __init__(self, log_dir: Path, number: int, core: int | None = None) -> None:
        self.log = open(log_dir / f"grader-{number}.log", "ab")
        env = dict(os.environ)
        env.pop("PYTHONSTARTUP", None)
        pin = [] if core is None else ["--core", str(core)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader.instructor.batch_worker", *pin], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, env=env, start_new_session=True, cwd=str(kit.KIT_ROOT))
        self.layers: list[str] | None = None

    def _read(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GraderFailure("a grading process did not answer in time")
            ready, _, _ = select.select([self.process.stdout], [], [], min(remaining, 1.0))
            if ready:
                line = self.process.stdout.readline()
                if not line:
                    raise GraderFailure(f"a grading process stopped (exit status {self.process.wait()})")
                try:
                    reply = json.loads(line)
                except ValueError:
                    raise GraderFailure("a grading process sent an unreadable reply") from None
                if not isinstance(reply, dict):
                    raise GraderFailure("a grading process sent an unreadable reply")
                return reply
            if self.process.poll() is not None:
                raise GraderFailure(f"a grading process stopped (exit status {self.process.returncode})")

    def ready(self) -> list[str]:
        reply = self._read(READY_TIMEOUT)
        if not reply.get("ready"):
            raise GraderFailure(str(reply.get("error", "the grading process did not start")))
        self.layers = [str(layer) for layer in reply.get("layers", [])]
        return self.layers

    def grade(self, folder: Path, exercises: list[str], seed: int, timeout: float) -> dict:
        request = {"dir": str(folder), "exercises": exercises, "seed": seed}
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise GraderFailure("a grading process stopped") from None
        reply = self._read(timeout)
        if "error" in reply:
            raise GraderFailure(str(reply["error"]))
        if not isinstance(reply.get("report"), dict) or not isinstance(reply.get("text"), str):
            raise GraderFailure("a grading process sent an incomplete reply")
        return reply

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.log.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


# the batch -------------------------------------------------------------------------------------------
@dataclass
class Options:
    submissions: Path
    out: Path
    exercises: list[metadata.Exercise]
    jobs: int
    seed: int
    allow_unconfined: bool = False
    progress: bool | None = None  # None: on a terminal only
    pin_cores: bool = True


NOT_GRADED = ("unreadable", "refused", "conflict", "grader-error")  # `grade batch` exits with 1 when any


@dataclass
class Row:
    entry: subs.Entry
    key: str
    report: dict | None = None
    text: str | None = None
    cached: bool = False
    error: str | None = None

    @property
    def status(self) -> str:
        return "grader-error" if self.error else self.entry.status


@dataclass
class Outcome:
    rows: list[Row]
    skipped: list[subs.Skipped]
    graded: int = 0  # students graded in this run (identical submissions count each)
    from_cache: int = 0  # students whose result came from the cache
    seconds: float = 0.0
    layers: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    run_id: str = ""
    started: str = ""

    @property
    def grader_errors(self) -> list[Row]:
        return [row for row in self.rows if row.error]

    @property
    def not_graded(self) -> list[Row]:
        """Entries whose grade the teacher must look at: not graded as submitted (see NOT_GRADED)."""
        return [row for row in self.rows if row.status in NOT_GRADED]


def default_jobs() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def core_for(slot: int, jobs: int) -> int | None:
    """The core grading process `slot` keeps to, or None to let the scheduler place it.

    With exactly one grading process per core, keeping each process tree (the process, its
    zygote, its workers) on one core spares the caches and the migrations of every fork: a class
    of 30 took 27.0 s pinned against 28.9 s unpinned on 2 cores (benchmarks/batch_speed.py
    --unpinned). With fewer processes than cores nothing is pinned (a second batch on the same
    machine would be pinned to the same cores while others idle); with more, they share.
    """
    try:
        cores = sorted(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return None
    if jobs < 2 or jobs != len(cores):
        return None
    return cores[slot % len(cores)]


def student_timeout(exercises: list[metadata.Exercise]) -> float:
    """A backstop for one student: learner code is bounded by budgets; this catches a wedged grader."""
    return 300.0 + 10.0 * sum(exercise.budget for exercise in exercises)


def _progress(total: int, enabled: bool | None):
    enabled = sys.stderr.isatty() if enabled is None else enabled
    if not enabled or total == 0:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="student", file=sys.stderr, desc="grading")


def run_batch(options: Options, echo: Callable[[str], None] = print) -> Outcome:
    """Grade every submission in `options.submissions`; write the outputs to `options.out`."""
    started = time.monotonic()
    run_id, started_at = new_run_id()
    catalog = metadata.load()
    if not options.submissions.is_dir():
        raise BatchError(f"no such folder: {options.submissions}", 2)
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    cache_dir = out / ".cache"
    cache_dir.mkdir(exist_ok=True)
    set_aside_previous(out)
    entries, skipped = subs.scan(options.submissions, catalog, exclude=out)
    exercise_ids = [e.id for e in options.exercises]
    kit_print = fingerprint()
    work = Path(tempfile.mkdtemp(prefix="grade-batch-"))
    processes: list[GradingProcess] = []
    try:
        empty = work / "empty"
        empty.mkdir()
        rows = []
        for number, entry in enumerate(entries):
            subs.prepare(entry, options.submissions, work / str(number), catalog)
            if entry.folder is None:
                entry.folder = empty
                entry.digest = subs.digest_modules(empty, [])
            key = hashlib.sha256(json.dumps([CACHE_FORMAT, kit_print, options.seed, exercise_ids,
                                             entry.digest]).encode()).hexdigest()
            rows.append(Row(entry, key))
        outcome = Outcome(rows, skipped, run_id=run_id, started=started_at)
        todo = []
        for row in rows:
            cached = _read_cache(cache_dir / f"{row.key}.json")
            if cached is not None:
                row.report, row.text, row.cached = cached["report"], cached["text"], True
                _write_student(out, row, outcome)
            else:
                todo.append(row)
        outcome.from_cache = len(rows) - len(todo)
        unique: dict[str, Row] = {}
        for row in todo:  # identical submissions (untouched stubs, a shared file) are graded once
            unique.setdefault(row.key, row)
        if unique:
            _grade_all(list(unique.values()), options, out, cache_dir, processes, outcome, work)
        for row in todo:
            first = unique[row.key]
            if first is not row:
                row.report, row.text, row.error = first.report, first.text, first.error
                _write_student(out, row, outcome)
        outcome.graded = sum(1 for row in todo if row.error is None and row.report is not None)
        _write_class(out, options, catalog, outcome)
        outcome.seconds = time.monotonic() - started
        return outcome
    finally:
        for process in processes:
            process.kill()
        shutil.rmtree(work, ignore_errors=True)


def _read_cache(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    if not isinstance(data.get("report"), dict) or not isinstance(data.get("text"), str):
        return None
    return data


def _start(log_dir: Path, number: int, options: Options, outcome: Outcome, core: int | None) -> GradingProcess:
    process = GradingProcess(log_dir, number, core)
    try:
        layers = process.ready()
    except GraderFailure:
        process.kill()
        raise
    outcome.layers = layers
    if missing_key_layers(layers) and not options.allow_unconfined:
        process.kill()
        raise BatchError(refusal(layers), 1)
    return process


def _grade_all(todo: list[Row], options: Options, out: Path, cache_dir: Path, processes: list[GradingProcess],
               outcome: Outcome, work: Path) -> None:
    log_dir = work / "logs"
    log_dir.mkdir()
    jobs = max(1, min(options.jobs, len(todo)))
    cores = [core_for(slot, jobs) if options.pin_cores else None for slot in range(jobs)]
    processes.extend(GradingProcess(log_dir, slot, cores[slot]) for slot in range(jobs))  # they warm up together
    try:
        layers = processes[0].ready()  # the first one decides whether this machine may grade at all
    except GraderFailure as exc:
        raise BatchError(f"the grader could not start: {exc}", 1) from None
    outcome.layers = layers
    if missing_key_layers(layers) and not options.allow_unconfined:
        raise BatchError(refusal(layers), 1)
    pending: queue.Queue = queue.Queue()
    for row in todo:
        pending.put(row)
    done: queue.Queue = queue.Queue()
    stop = threading.Event()
    timeout = student_timeout(options.exercises)
    ids = [e.id for e in options.exercises]

    def serve(slot: int) -> None:
        restarts = 0
        try:
            if processes[slot].layers is None:
                layers = processes[slot].ready()
                if missing_key_layers(layers) and not options.allow_unconfined:
                    done.put(BatchError(refusal(layers), 1))
                    return
        except GraderFailure as exc:
            done.put(BatchError(f"the grader could not start: {exc}", 1))
            return
        while not stop.is_set():
            try:
                row = pending.get_nowait()
            except queue.Empty:
                return
            for attempt in (1, 2):
                try:
                    reply = processes[slot].grade(row.entry.folder, ids, options.seed, timeout)
                    if reply.get("internal_errors"):
                        raise GraderFailure("; ".join(reply["internal_errors"])[:300])
                    row.report, row.text = reply["report"], reply["text"]
                    row.error = None
                    break
                except GraderFailure as exc:
                    row.error = str(exc)
                    if stop.is_set():
                        return
                    processes[slot].kill()
                    restarts += 1
                    try:
                        processes[slot] = _start(log_dir, 100 * restarts + slot, options, outcome, cores[slot])
                    except (GraderFailure, BatchError) as failure:
                        done.put(row)
                        done.put(failure if isinstance(failure, BatchError) else BatchError(str(failure), 1))
                        return
            done.put(row)

    threads = [threading.Thread(target=serve, args=(slot,), daemon=True) for slot in range(jobs)]
    bar = _progress(len(todo), options.progress)
    try:
        for thread in threads:
            thread.start()
        received = 0
        failure: BatchError | None = None
        while received < len(todo):
            try:
                item = done.get(timeout=1.0)
            except queue.Empty:
                if not any(thread.is_alive() for thread in threads) and done.empty():
                    break
                continue
            if isinstance(item, BatchError):
                failure = failure or item
                if "refusing" in str(item):
                    stop.set()
                    break
                continue
            received += 1
            if item.error is None:
                atomic_write(cache_dir / f"{item.key}.json", json.dumps(
                    {"format": CACHE_FORMAT, "student": item.entry.student, "report": item.report, "text": item.text},
                    ensure_ascii=False).encode("utf-8"))
            _write_student(out, item, outcome)
            if bar is not None:
                bar.update(1)
        if failure is not None and ("refusing" in str(failure) or received == 0):
            raise failure
        for row in todo:  # students no grading process could take (every process failed to start)
            if row.report is None and row.error is None:
                row.error = "not graded: no grading process could start"
        for process in processes:  # done: each process closes its zygote (and removes its scratch folders)
            process.close()
    finally:
        stop.set()
        if bar is not None:
            bar.close()
        for process in processes:
            process.kill()


def _feedback(row: Row) -> str:
    """The student's feedback file: learner text made safe to show (no control characters or escapes)."""
    if row.error:
        return (f"Your submission could not be graded because of a problem in the grader, not in your code "
                f"({safetext.plain(row.error)}). Your instructor will grade it again.\n")
    text = safetext.block(row.text or "")
    entry = row.entry
    notes = []
    if entry.problem:
        notes.append(f"Your submission was graded as zero: {safetext.plain(entry.problem.split(': ', 1)[-1])}.")
    if entry.problem is None:
        notes += [f"Not graded (it scores nothing): {safetext.plain(reason)}." for reason in entry.refused]
    if entry.conflict:
        notes.append(f"Your instructor must check this grade: {safetext.plain(entry.conflict)}.")
    notes += [f"Note: {safetext.plain(note)}." for note in entry.notes]
    if notes:
        text = "\n".join(notes) + "\n\n" + text
    return text if text.endswith("\n") else text + "\n"


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    atomic_write(path, data)


def _write_student(out: Path, row: Row, outcome: Outcome) -> None:
    name = row.entry.stem or safe_name(row.entry.student)
    if row.report is not None and not row.error:
        _write_if_changed(out / "reports" / f"{name}.json",
                          (json.dumps(row.report, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    _write_if_changed(out / "feedback" / f"{name}.txt", _feedback(row).encode("utf-8"))


def _reason(row: Row) -> str:
    return row.error or row.entry.reason


def csv_text(rows: list[Row], exercises: list[metadata.Exercise]) -> str:
    """grades.csv: one row per entry; every cell safe to open in a spreadsheet (no formula runs)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "total", *[e.id for e in exercises], "status", "reason"])
    for row in rows:
        scores = {}
        if row.report is not None and not row.error:
            scores = {e["id"]: e["score"] for e in row.report["exercises"]}
        total = f"{row.report['score']:g}" if row.report is not None and not row.error else ""
        cells = [row.entry.student, total, *[f"{scores[e.id]:g}" if e.id in scores else "" for e in exercises],
                 row.status, _reason(row)]
        writer.writerow([safetext.csv_cell(cell) for cell in cells])
    return buffer.getvalue()


def _write_class(out: Path, options: Options, catalog: metadata.Catalog, outcome: Outcome) -> None:
    rows = outcome.rows
    atomic_write(out / "grades.csv", csv_text(rows, options.exercises).encode("utf-8"))
    summary = summarize(
        [{"student": row.entry.student, "status": row.status, "problem": _reason(row) or None,
          "report": row.report if not row.error else None} for row in rows],
        options.exercises, catalog, [{"name": s.name, "reason": s.reason} for s in outcome.skipped])
    summary["seed"] = options.seed
    summary["run"] = {"id": outcome.run_id, "started": outcome.started,
                      "finished": datetime.now(timezone.utc).replace(microsecond=0).isoformat()}
    atomic_write(out / "summary.json", (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    atomic_write(out / "summary.md", render_markdown(summary).encode("utf-8"))
    outcome.written = [out / "grades.csv", out / "summary.json", out / "summary.md"]
    from grader.instructor.plots import write_plots

    try:
        outcome.written += write_plots(summary, out, atomic_write)
    except Exception:  # noqa: BLE001 - a plotting problem must not lose the grades
        pass
