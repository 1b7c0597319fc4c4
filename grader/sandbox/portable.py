"""The portable worker backend: a spawned, warmed interpreter per exercise, for machines without fork.

Where the fork zygote cannot run (Windows; macOS, which refuses SOCK_SEQPACKET socketpairs),
each learner module gets a fresh interpreter (`python -I -B`, started from the kit, not the
learner's folder) that imports and warms torch, confines itself as far as the platform lets a
process do that to itself (grader.sandbox.spawned), and then speaks the same request/reply codec
as a forked worker over a multiprocessing.connection channel (a named pipe on Windows, an AF_UNIX
socket, else localhost TCP; authenticated by a key handed over on the worker's stdin).

A warm interpreter costs about 1.5 s of CPU (torch and its lazy optimizer imports), so it is never
started on demand: `start()` launches the first spares before the grader imports torch itself. When
an exercise is graded its worker is asked to recycle: if it proves as clean as a fresh interpreter
(grader.sandbox.recycle) it serves the next module of the same folder (never another folder's)
and of the same visibility (`chains`: a worker that served hidden checks never serves public ones,
so an exercise's hidden checks run in a hidden-only worker that loads the module anew); otherwise
it ends and a replacement starts warming. Serving more than one folder (a class), each
hand-over of a spare also starts a replacement. GRADE_WORKER_REUSE=0 gives every module a fresh
interpreter.
"""

from __future__ import annotations

import json
import os
import pickle
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.sandbox import clocks, confine, sources
from grader.sandbox.client import (CPU_LIMIT, MAX_REPLY_BYTES, MEMORY_LIMIT, ZYGOTE_START_TIMEOUT, SandboxUnavailable,
                                   WorkerHandle, disabled_from_env)
from grader.sandbox.wire import ChannelClosed

SPARES_ENV = "GRADE_WORKER_SPARES"
REUSE_ENV = "GRADE_WORKER_REUSE"
RECYCLE_CPU = 5.0  # CPU seconds a worker may take to prove itself clean (a collection, the comparisons)
_ENV_KEPT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "SYSTEMROOT", "WINDIR", "TEMP", "TMP",
             "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE", "COMSPEC")
BOOT = "import sys; sys.path.insert(0, {kit!r}); from grader.sandbox.spawned import main; main()"
LAYERS = ("landlock", "unprivileged", "resource-limits", "private-tmp", "seccomp")  # what a process can do to itself


def channel_family() -> str:
    """The multiprocessing.connection family this platform offers (probed, not assumed)."""
    from multiprocessing import connection

    if "AF_PIPE" in connection.families:
        return "AF_PIPE"  # Windows named pipes
    if "AF_UNIX" in connection.families and hasattr(socket, "AF_UNIX"):
        return "AF_UNIX"
    return "AF_INET"


def default_spares() -> int:
    """How many warm interpreters wait beside the one in use: GRADE_WORKER_SPARES, else 1 (2 with cores to spare)."""
    try:
        return max(1, min(int(os.environ[SPARES_ENV]), 8))
    except (KeyError, ValueError):
        return 2 if (os.cpu_count() or 1) >= 4 else 1


class _Spare:
    """One interpreter warming up (or warm), not yet given a learner module."""

    def __init__(self, plan: confine.Plan, scratch: str | None, family: str) -> None:
        from multiprocessing.connection import Listener

        key = secrets.token_bytes(32)
        address: Any = None  # a named pipe (Windows): multiprocessing names it
        if family == "AF_INET":
            address = ("127.0.0.1", 0)
        elif family == "AF_UNIX":  # in the scratch root, which goes away with the backend (not a pymp-* folder)
            address = os.path.join(plan.scratch_root, f"c{secrets.token_hex(6)}")
        self.scratch = scratch
        self.conn: Any = None
        self.layers: list[str] | None = None
        self.pid = 0
        self._accepted = threading.Event()
        self._closing = False
        self._listener = Listener(address=address, family=family, authkey=key)
        self._log = tempfile.TemporaryFile()
        kit = str(Path(__file__).resolve().parents[2])
        env = {name: value for name, value in os.environ.items() if name.upper() in _ENV_KEPT}
        env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
        options: dict[str, Any] = {}
        if os.name == "nt":  # no console Ctrl-C for the worker: the grader stops it
            options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "CREATE_NO_WINDOW", 0)
        else:
            options["start_new_session"] = True
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-B", "-c", BOOT.format(kit=kit)], stdin=subprocess.PIPE, stdout=self._log,
            stderr=self._log, env=env, cwd=scratch or tempfile.gettempdir(), **options)
        setup = {"address": self._listener.address, "family": family, "authkey": key, "plan": plan,
                 "scratch": scratch, "parent": os.getpid()}
        try:
            self.process.stdin.write(pickle.dumps(setup))
            self.process.stdin.close()
        except OSError:
            pass  # it died at once: wait_ready says why
        self._thread = threading.Thread(target=self._accept, name="grade-spare-accept", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        """Accept the spare's connection (anything else that knocks without the key is refused)."""
        try:
            while not self._closing:
                try:
                    self.conn = self._listener.accept()
                    return
                except (OSError, EOFError, ValueError):
                    continue
                except Exception:  # noqa: BLE001 - multiprocessing.AuthenticationError: not our spare
                    continue
        finally:
            self._accepted.set()
            try:
                self._listener.close()
            except OSError:
                pass

    def wait_ready(self, timeout: float) -> list[str]:
        """Block until the spare is warm and confined; its layers, or SandboxUnavailable."""
        if self.layers is not None:
            return self.layers
        deadline = time.monotonic() + timeout
        while not self._accepted.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._fail("it stopped before connecting" if self.process.poll() is not None else "it did not connect")
        while self.conn is not None and not self.conn.poll(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._fail("it stopped while warming up" if self.process.poll() is not None else "it did not warm up")
        try:
            message = json.loads(self.conn.recv_bytes(65536).decode("utf-8")) if self.conn is not None else None
        except (OSError, EOFError, ValueError):
            message = None
        pid = message.get("pid") if isinstance(message, dict) else None
        if not isinstance(pid, int) or isinstance(pid, bool) or pid != self.process.pid:
            self._fail("it sent no ready report")
        self.pid = pid
        self.layers = sorted(name for name in message.get("layers", []) if isinstance(name, str) and name in LAYERS)
        return self.layers

    def _fail(self, what: str) -> None:
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
        self.kill()
        detail = lines[-1] if lines else what
        raise SandboxUnavailable(f"the grading sandbox did not start: {detail}")

    def kill(self) -> None:
        """Stop the interpreter and whatever it started; remove its scratch folder."""
        self._closing = True
        if not self._accepted.is_set():
            self._knock()
        _kill_tree(self.process)
        if self.conn is not None:
            self.conn.close()
        self._log.close()
        _remove(self.scratch)

    def _knock(self) -> None:
        """Wake the accepting thread with a connection that fails the key check."""
        from multiprocessing.connection import Client

        try:
            Client(self._listener.address, family=None, authkey=b"x").close()
        except Exception:  # noqa: BLE001 - refused or already closed: the thread ends either way
            pass


def _kill_tree(process: subprocess.Popen) -> None:
    """SIGKILL (TerminateProcess) a worker and its descendants, then reap it."""
    if process.poll() is None:
        try:
            import psutil

            for child in psutil.Process(process.pid).children(recursive=True):
                try:
                    child.kill()
                except psutil.Error:
                    pass
        except Exception:  # noqa: BLE001 - no psutil, or the worker ended meanwhile
            pass
        if os.name == "posix":
            try:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: anything left in it
            except OSError:
                pass
        try:
            process.kill()
        except OSError:
            pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    clocks.forget(process.pid)


def _remove(folder: str | None) -> None:
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def _end(process: subprocess.Popen, conn: Any, scratch: str | None) -> None:
    """End a worker interpreter for good: its process tree, its channel and its scratch folder."""
    _kill_tree(process)
    try:
        conn.close()
    except OSError:
        pass
    _remove(scratch)


def reuse_wanted() -> bool:
    """GRADE_WORKER_REUSE=0 turns reuse off (every module then gets a fresh interpreter)."""
    return os.environ.get(REUSE_ENV, "").strip() not in ("0", "no", "false", "off")


@dataclass
class _Idle:
    """A clean worker between two modules of one folder."""

    folder: str
    visibility: str
    conn: Any
    process: Any
    scratch: str | None
    pid: int
    layers: list[str]

    def kill(self) -> None:
        _end(self.process, self.conn, self.scratch)


@dataclass
class PortableWorkerHandle(WorkerHandle):
    """A spawned worker interpreter: the WorkerHandle protocol over a multiprocessing connection."""

    conn: Any = None
    process: Any = None
    scratch: str | None = None
    folder: str = ""
    visibility: str = "public"  # the checks it serves: one that served hidden checks never serves public ones
    owner: Any = None  # the PortableWorkers that may reuse it
    _expired: bool = field(default=False, repr=False)

    def retire(self) -> None:
        """Ask the worker to prove itself clean; a clean one waits for the folder's next module, else it ends."""
        if not self.alive or self._expired or self.owner is None or not self.owner.reuse:
            self.kill()
            return
        reply = self.request({"op": "recycle"}, RECYCLE_CPU)
        if reply.get("status") != "clean" or not self.alive or self._expired or _has_children(self.process):
            self.kill()
            return
        self.alive = False  # this handle is done; the process lives on for the next module
        self.owner._keep(_Idle(self.folder, self.visibility, self.conn, self.process, self.scratch, self.pid, list(self.layers)))

    def _write(self, payload: bytes) -> None:
        self.conn.send_bytes(payload)

    def _readable(self, timeout: float) -> bool:
        return bool(self.conn.poll(timeout))

    def _read(self, deadline: float) -> bytes:
        """The reply by `deadline`: a worker that stalls mid-message is killed, which ends the read."""
        timer = threading.Timer(max(deadline - time.monotonic(), 0.001), self._expire)
        timer.daemon = True
        timer.start()
        try:
            return self.conn.recv_bytes(MAX_REPLY_BYTES)
        except (EOFError, OSError) as exc:
            if self._expired:
                raise socket.timeout() from None
            raise ChannelClosed(str(exc)) from None
        finally:
            timer.cancel()

    def _expire(self) -> None:
        self._expired = True
        _kill_tree(self.process)

    def kill(self) -> None:
        """Kill the interpreter and its descendants, close the channel, remove its scratch folder."""
        if self.alive:
            self.alive = False
            _end(self.process, self.conn, self.scratch)
            if self.owner is not None:
                self.owner._lost()


def _has_children(process: subprocess.Popen) -> bool:
    """The worker left a process of its own running (then it is not clean)."""
    try:
        import psutil

        return bool(psutil.Process(process.pid).children(recursive=True))
    except Exception:  # noqa: BLE001 - without psutil the worker can't be checked: not reused
        return True


class PortableWorkers:
    """The Zygote protocol (spawn, layers, close) with spawned interpreters and warm spares."""

    backend = "portable"
    chains = True  # LearnerModule asks for public and hidden workers apart, and retires both

    def __init__(self, disabled: frozenset[str] = frozenset(), spares: int | None = None) -> None:
        self.disabled = frozenset(disabled)
        self.spares = default_spares() if spares is None else max(1, spares)
        self.restarts = 0
        self._family = channel_family()
        self._scratch_root = tempfile.mkdtemp(prefix="grade-scratch-")
        if os.name == "posix":
            os.chmod(self._scratch_root, 0o711)  # workers reach their own folder, list nothing
        self.reuse = reuse_wanted()
        self.reused = 0
        self._idle: list[_Idle] = []  # one folder's: at most one public and one hidden worker
        self._folders: set[str] = set()
        self._waiting: list[_Spare] = []
        self._workers: list[PortableWorkerHandle] = []
        self._layers: list[str] | None = None
        self._closed = False

    @classmethod
    def start(cls, disabled: frozenset[str] | None = None, spares: int | None = None) -> "PortableWorkers":
        """Start warming spares now, before the caller imports torch, so the warm-ups overlap.

        With reuse in the full kit, two: a learner's run wants a public and a hidden worker, and the
        hidden checks should not wait for a cold start after the public ones. A student release has
        no hidden checks, so a second interpreter would only take CPU from the first."""
        from grader.catalog import kit

        workers = cls(disabled_from_env() if disabled is None else disabled, spares)
        workers._refill(2 if workers.reuse and kit.has_solutions() else 1)
        return workers

    def _plan(self) -> confine.Plan:
        from grader.catalog import metadata

        return confine.Plan(memory_bytes=MEMORY_LIMIT, cpu_seconds=CPU_LIMIT, scratch_root=self._scratch_root,
                            hidden_paths=confine.hidden_paths(*metadata.hidden_folders()),
                            disabled=self.disabled)

    def _launch(self) -> _Spare:
        scratch = None
        if "private-tmp" not in self.disabled:
            scratch = tempfile.mkdtemp(prefix="w", dir=self._scratch_root)
            if os.name == "posix":
                os.chmod(scratch, 0o700)
        try:
            return _Spare(self._plan(), scratch, self._family)
        except OSError as exc:
            _remove(scratch)
            raise SandboxUnavailable(f"the grading sandbox did not start: {exc}") from None

    def _refill(self, count: int | None = None) -> None:
        while not self._closed and len(self._waiting) < (self.spares if count is None else count):
            self._waiting.append(self._launch())

    def _take(self) -> tuple[_Spare, list[str]]:
        """The oldest spare, warm; a replacement starts warming at once."""
        if self._closed:
            raise SandboxUnavailable("the grading sandbox was stopped")
        self._refill(1)
        spare = self._waiting.pop(0)
        live = len(self._idle) + sum(1 for worker in self._workers if worker.alive)
        if not self.reuse or len(self._folders) > 1 or live < 1:
            self._refill()  # a class, or one learner's run whose other kind (public/hidden) will want its own
        try:
            return spare, spare.wait_ready(ZYGOTE_START_TIMEOUT)
        except SandboxUnavailable:
            self.restarts += 1
            self._refill(1)
            spare = self._waiting.pop(0)
            self._refill()
            return spare, spare.wait_ready(ZYGOTE_START_TIMEOUT)

    def _keep(self, idle: _Idle) -> None:
        """A clean worker waits for its folder's next module (one at a time: an older one ends)."""
        if self._closed:
            idle.kill()
            return
        for older in self._idle:
            if older.folder != idle.folder or older.visibility == idle.visibility:
                older.kill()
        self._idle = [kept for kept in self._idle if kept.folder == idle.folder and kept.visibility != idle.visibility]
        self._idle.append(idle)

    def _lost(self) -> None:
        """A worker ended without being reused: start warming its replacement."""
        if self.reuse and not self._closed:
            try:
                self._refill(1)
            except SandboxUnavailable:
                pass  # said when the next worker is asked for

    def spawn(self, path: Path, name: str, visibility: str = "public") -> PortableWorkerHandle:
        """A warm, confined interpreter holding the module at `path` (read here, with its siblings).

        A clean worker left by the same folder's previous module of the same `visibility` if there is
        one (a worker that served hidden checks never serves public ones), else a spare."""
        location = str(Path(path).absolute())
        folder = os.path.dirname(location)
        self._folders.add(folder)
        idle, kept = None, []
        for waiting in self._idle:
            if waiting.folder != folder or waiting.process.poll() is not None:
                waiting.kill()  # another folder's: never shared
            elif waiting.visibility == visibility and idle is None:
                idle = waiting
            else:
                kept.append(waiting)
        self._idle = kept
        if idle is not None:
            conn, process, scratch, pid, layers = idle.conn, idle.process, idle.scratch, idle.pid, idle.layers
            self.reused += 1
        else:
            spare, layers = self._take()
            conn, process, scratch, pid = spare.conn, spare.process, spare.scratch, spare.pid
            spare._log.close()
        assignment = {"path": location, "name": name, "source": sources.read_source(location),
                      "siblings": sources.read_siblings(location) if os.path.isfile(location) else {}}
        handle = PortableWorkerHandle(pid=pid, sock=None, layers=list(layers), conn=conn, process=process,
                                      scratch=scratch, folder=folder, visibility=visibility,
                                      owner=self)
        self._layers = list(layers)
        self._workers = [worker for worker in self._workers if worker.alive] + [handle]
        try:
            handle.conn.send_bytes(pickle.dumps(assignment))
        except (OSError, ValueError):
            handle.kill()
        return handle

    def layers(self) -> list[str]:
        """The layers that held for the last worker (a spare's, when none was handed out yet)."""
        if self._layers is None:
            if self._closed:
                return []
            self._refill(1)
            self._layers = self._waiting[0].wait_ready(ZYGOTE_START_TIMEOUT)
        return sorted(self._layers)

    def close(self) -> None:
        """Stop every worker and spare (their trees with them) and remove the scratch root."""
        if self._closed:
            return
        self._closed = True
        for worker in self._workers:
            worker.kill()
        for spare in self._waiting:
            spare.kill()
        for idle in self._idle:
            idle.kill()
        self._idle = []
        self._workers.clear()
        self._waiting.clear()
        _remove(self._scratch_root)
