"""`grade watch [EXERCISE]`: re-grade the exercise you are on each time you save it.

One zygote (torch imported and warmed) and one trusted process (pytest, the checks, the oracle)
stay loaded for the whole session, so a save costs a fork and the checks themselves, not an
interpreter start. The current exercise is the one named, else the first not yet passing; when
it passes the watch moves on to the next one (as rustlings does). Learner code still runs only
in confined workers: a syntax error, a hang or a crash is a verdict on the screen, never the end
of the watch. Ctrl-C or `q` stops it; the zygote and its workers go with it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

from grader.learner.text import tr

TEXT = {
    "watching": "Watching {file}: save it to check again (q then Enter, or Ctrl-C, to stop).",
    "passed": "{id} passes! On to {next}.",
    "all_passed": "Every exercise passes. Well done!",
    "stopped": "Stopped watching.",
    "missing": "{file} is missing from {folder}: create it (or `grade reset {short}`), the watch goes on.",
}
STEP_MS = 30  # how long the file must stay quiet before a save is graded (editors write in bursts)


def _render(report: Any, colour: bool, confinement_note: bool = True) -> str:
    from grader.reporting.render import render_report

    try:
        from grader import i18n
    except ImportError:
        return render_report(report, colour=colour, confinement_note=confinement_note)
    report = i18n.localize_report(report)
    return render_report(report, colour=colour, lang=i18n.language(), confinement_note=confinement_note)


class Session:
    """The warm side of the watch: one grading pipeline (zygote, oracle, pytest and the checks), loaded once."""

    def __init__(self, folder: Path, seed: int, zygote: Any) -> None:
        from grader.grading.orchestrate import Grader

        self.folder = folder
        self.seed = seed
        self.grader = Grader(zygote).prepare()

    def grade(self, exercise: Any) -> Any:
        from grader.learner import progress

        report = self.grader.grade([exercise], self.folder, seed=self.seed)
        progress.record(report, self.folder)
        return report


def first_unfinished(catalog: Any, folder: Path, start: Any | None) -> Any | None:
    """The named exercise, else the first one the state file does not record as passing."""
    from grader.learner.progress import next_exercise
    from grader.learner.state import State

    return start if start is not None else next_exercise(catalog, State(folder))


def following(catalog: Any, exercise: Any) -> Any | None:
    later = [e for e in catalog.exercises if e.order > exercise.order]
    return later[0] if later else None


class KeyReader:
    """`q` (with or without Enter) stops the watch; on a terminal the keys are read unbuffered."""

    def __init__(self, stop: threading.Event, stream: Any = None) -> None:
        self.stop = stop
        self.stream = stream if stream is not None else sys.stdin
        self.saved: Any = None

    def start(self) -> "KeyReader":
        try:
            fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            return self
        if os.isatty(fd):
            try:
                import termios
                import tty

                self.saved = (fd, termios.tcgetattr(fd))
                tty.setcbreak(fd)
            except (ImportError, OSError):
                self.saved = None
        threading.Thread(target=self._read, args=(fd,), daemon=True).start()
        return self

    def _read(self, fd: int) -> None:
        while not self.stop.is_set():
            try:
                key = os.read(fd, 1)
            except OSError:
                return
            if not key:
                return  # end of input: only Ctrl-C stops the watch now
            if key in (b"q", b"Q"):
                self.stop.set()
                return

    def restore(self) -> None:
        if self.saved is not None:
            import termios

            fd, attributes = self.saved
            try:
                termios.tcsetattr(fd, termios.TCSADRAIN, attributes)
            except OSError:
                pass
            self.saved = None


class Saves:
    """Saves of the current exercise's file (written in place or replaced by rename), seen by one watcher
    that is running before the first grading, so a save made while a run is on screen is never missed."""

    def __init__(self, folder: Path, stop: threading.Event) -> None:
        import watchfiles

        self.stop = stop
        self.current = ""
        self._stream = watchfiles.watch(folder, watch_filter=None, debounce=1600, step=STEP_MS, stop_event=stop,
                                        rust_timeout=200, yield_on_timeout=True, recursive=False,
                                        raise_interrupt=False)
        self._early = next(self._stream, set())  # starts the watcher (returns within rust_timeout)

    def _ours(self, batch: Any) -> bool:
        return any(Path(path).name == self.current for _change, path in batch)

    def wait(self) -> bool:
        """Block until the current file is saved (True) or the watch is stopped (False)."""
        early, self._early = self._early, set()
        if early and self._ours(early):
            return True
        for batch in self._stream:
            if self.stop.is_set():
                return False
            if self._ours(batch):
                return True
        return False


def digest(path: Path) -> bytes | None:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return None


def watch(exercise: Any | None, folder: Path, seed: int, echo: Callable[[str], None], colour: bool,
          clear: bool, stop: threading.Event | None = None) -> int:
    """Run the watch until every exercise passes (0), or `q`/Ctrl-C (0); returns the exit status."""
    from grader.catalog import metadata
    from grader.learner.interrupt import stop_on_ctrl_c
    from grader.sandbox import backend

    catalog = metadata.load()
    stop = stop or threading.Event()
    ctrl_c = stop_on_ctrl_c()
    zygote = ctrl_c.watch(backend.start())  # before torch is imported here, so both warm up together
    keys = KeyReader(stop).start()
    ctrl_c.cleanups.append(keys.restore)
    try:
        session = Session(folder, seed, zygote)
        current = first_unfinished(catalog, folder, exercise)
        saves = Saves(folder, stop)  # watching before the first run
        feedbacks = 0
        while current is not None and not stop.is_set():
            graded = digest(folder / current.filename)
            report = session.grade(current)
            if clear:
                import click

                click.clear()
            echo(_render(report, colour, confinement_note=feedbacks == 0))  # reduced isolation: said once
            feedbacks += 1
            if report.passed:
                upcoming = following(catalog, current)
                if upcoming is None:
                    echo(tr(TEXT["all_passed"]))
                    return 0
                echo(tr(TEXT["passed"], id=current.id, next=upcoming.id))
                current = upcoming
                continue
            path = folder / current.filename
            if not path.exists():
                echo(tr(TEXT["missing"], file=current.filename, folder=folder.name, short=current.id[:4]))
            echo(tr(TEXT["watching"], file=f"{folder.name}/{current.filename}"))
            saves.current = current.filename
            if digest(folder / current.filename) != graded:
                continue  # saved again while it was being graded
            if not saves.wait():
                break  # q or Ctrl-C
        if current is None:
            echo(tr(TEXT["all_passed"]))
        else:
            echo(tr(TEXT["stopped"]))
        return 0
    finally:
        keys.restore()
        stop.set()
        zygote.close()
        ctrl_c.release()
