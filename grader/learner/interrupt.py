"""Ctrl-C during `grade run`: stop at once, leave no process behind, exit with status 130.

pytest turns a KeyboardInterrupt inside a check into an early, partial report, and the first
seconds are spent importing torch: neither may swallow the learner's Ctrl-C. So while grading,
SIGINT stops the zygote (its workers die with it), says so on stderr and ends the process.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

INTERRUPTED = "grade: interrupted"
EXIT_STATUS = 130  # 128 + SIGINT, as shells report it


class CtrlC:
    """Installed by `grade run` and `grade watch`; `watch(zygote)` names what to stop."""

    def __init__(self) -> None:
        self.zygotes: list[Any] = []
        self.previous: Any = None
        self.installed = False
        self.cleanups: list[Any] = []

    def install(self) -> "CtrlC":
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._stop)
            self.installed = True
        return self

    def watch(self, zygote: Any) -> Any:
        self.zygotes.append(zygote)
        return zygote

    def release(self) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, self.previous)
            self.installed = False

    def _stop(self, _signum: int, _frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        for cleanup in self.cleanups:
            try:
                cleanup()
            except Exception:  # noqa: BLE001 - stopping matters more than a clean-up
                pass
        for zygote in self.zygotes:
            try:
                zygote.close()
            except Exception:  # noqa: BLE001
                pass
        try:
            sys.stdout.flush()
        except Exception:  # noqa: BLE001
            pass
        try:
            from grader.learner.text import tr

            os.write(2, ("\n" + tr(INTERRUPTED) + "\n").encode())
        except OSError:
            pass
        os._exit(EXIT_STATUS)


def stop_on_ctrl_c() -> CtrlC:
    return CtrlC().install()
