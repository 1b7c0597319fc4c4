"""The portable worker backend: a spawned, warmed interpreter per exercise, for machines without fork.

Where the fork zygote cannot run (Windows; macOS, which refuses SOCK_SEQPACKET socketpairs),
each learner module gets a fresh interpreter (`python -I -B`, started from the kit, not the
learner's folder) that imports and warms torch, confines itself as far as the platform lets a
process do that to itself (grader.sandbox.spawned), and then speaks the same request/reply codec
as a forked worker over a multiprocessing.connection channel (a named pipe on Windows, an AF_UNIX
socket, else localhost TCP; authenticated by a key handed over on the worker's stdin).

A warm interpreter costs about 1.5-2 s of CPU (torch and its lazy optimizer imports), so it is
never started on demand: `start()` launches the first spare before the grader imports torch itself,
and each time a spare is handed a module a replacement starts warming while that module is graded.

It is also reused. When a module is done (LearnerModule.close, after the exercise's last check),
its worker is released: the pool asks it to recycle, and it is kept only if nothing went wrong on
it (no timeout, crash, tampering, unreadable reply or call in flight), its CPU time is under a
share of its RLIMIT_CPU (REUSE_CPU_FRACTION), and the worker finds itself as after warm-up once
the module is scrubbed away (grader.sandbox.recycle); otherwise it is killed. A kept worker serves
only the next module of the same learner folder (the parent folder of the module) and of the same
visibility: public and hidden checks have workers of their own (`chains`), so nothing a hidden call
passed in reaches a public check, and an exercise's hidden checks load the module anew. Idle
workers of another folder are killed when a module of a new folder is asked for (`grade batch`).
A full-kit run thus starts two interpreters and the spare beside them, not one per exercise.
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
REUSE_CPU_FRACTION = 0.25  # a worker that used this share of its RLIMIT_CPU is not reused
MAX_USES = 64  # modules one process serves at most
RECYCLE_CPU_SECONDS = 10.0  # the recycle check's own allowance (a scrub and a comparison)
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


@dataclass
class _Idle:
    """A worker recycled clean, waiting for the next module of `folder`."""

    process: Any
    conn: Any
    scratch: str | None
    pid: int
    layers: list[str]
    folder: str
    visibility: str
    uses: int

    def kill(self) -> None:
        _kill_tree(self.process)
        try:
            self.conn.close()
        except OSError:
            pass
        _remove(self.scratch)


@dataclass
class PortableWorkerHandle(WorkerHandle):
    """A spawned worker interpreter: the WorkerHandle protocol over a multiprocessing connection."""

    conn: Any = None
    process: Any = None
    scratch: str | None = None
    pool: Any = None
    folder: str = ""
    visibility: str = "public"  # the checks it serves: a hidden worker never serves public checks
    uses: int = 1  # modules this process has been handed, this one included
    dirty: bool = False  # something went wrong on it: never recycled
    _expired: bool = field(default=False, repr=False)
    _outstanding: int = field(default=0, repr=False)

    def send(self, message: dict) -> bool:
        sent = super().send(message)
        self._outstanding += 1 if sent else 0
        return sent

    def receive(self, cpu_timeout: float) -> dict:
        """The reply; a worker whose reply was anything but a result, an exception or a missing name is dirty."""
        reply = super().receive(cpu_timeout)
        self._outstanding -= 1
        status = reply.get("status")
        if status not in ("ok", "raised", "missing", "clean") or reply.get("tampered") or reply.get("kind") == "memory":
            self.dirty = True
        return reply

    def release(self) -> None:
        """The module is done: hand the worker back to the pool, which recycles it or kills it."""
        if self.pool is None:
            self.kill()
        else:
            self.pool.recycle(self)

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
            _kill_tree(self.process)
            try:
                self.conn.close()
            except OSError:
                pass
            _remove(self.scratch)


class PortableWorkers:
    """The Zygote protocol (spawn, layers, close) with spawned interpreters and warm spares."""

    backend = "portable"
    chains = True  # LearnerModule asks for public and hidden workers apart, and releases both

    def __init__(self, disabled: frozenset[str] = frozenset(), spares: int | None = None) -> None:
        self.disabled = frozenset(disabled)
        self.spares = default_spares() if spares is None else max(1, spares)
        self.restarts = 0
        self._family = channel_family()
        self._scratch_root = tempfile.mkdtemp(prefix="grade-scratch-")
        if os.name == "posix":
            os.chmod(self._scratch_root, 0o711)  # workers reach their own folder, list nothing
        self._waiting: list[_Spare] = []
        self._workers: list[PortableWorkerHandle] = []
        self._idle: list[_Idle] = []  # recycled clean, at most one folder's
        self.reused = 0  # modules served by a recycled worker
        self.last_refusal: str | None = None  # why the last worker asked to recycle was not clean
        self._layers: list[str] | None = None
        self._closed = False

    @classmethod
    def start(cls, disabled: frozenset[str] | None = None, spares: int | None = None) -> "PortableWorkers":
        """Start warming the first spare now (before the caller imports torch, so both overlap)."""
        workers = cls(disabled_from_env() if disabled is None else disabled, spares)
        workers._refill(1)
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
        self._refill()
        try:
            return spare, spare.wait_ready(ZYGOTE_START_TIMEOUT)
        except SandboxUnavailable:
            self.restarts += 1
            self._refill(1)
            spare = self._waiting.pop(0)
            self._refill()
            return spare, spare.wait_ready(ZYGOTE_START_TIMEOUT)

    def spawn(self, path: Path, name: str, visibility: str = "public") -> PortableWorkerHandle:
        """A warm, confined interpreter holding the module at `path` (read here, with its siblings).

        A worker recycled clean after the previous module of the same folder and `visibility` serves it
        if there is one; else the oldest spare. Idle workers of any other folder are killed: never shared."""
        if self._closed:
            raise SandboxUnavailable("the grading sandbox was stopped")
        location = str(Path(path).absolute())
        folder = os.path.dirname(location)
        idle, kept = None, []
        for waiting in self._idle:
            if waiting.folder != folder or waiting.process.poll() is not None:
                waiting.kill()
            elif waiting.visibility == visibility and idle is None:
                idle = waiting
            else:
                kept.append(waiting)
        self._idle = kept
        assignment = {"path": location, "name": name, "source": sources.read_source(location),
                      "siblings": sources.read_siblings(location) if os.path.isfile(location) else {}}
        if idle is not None:
            self.reused += 1
            handle = PortableWorkerHandle(pid=idle.pid, sock=None, layers=list(idle.layers), conn=idle.conn,
                                          process=idle.process, scratch=idle.scratch, pool=self, folder=folder,
                                          visibility=visibility, uses=idle.uses + 1)
            layers = idle.layers
        else:
            spare, layers = self._take()
            handle = PortableWorkerHandle(pid=spare.pid, sock=None, layers=list(layers), conn=spare.conn,
                                          process=spare.process, scratch=spare.scratch, pool=self, folder=folder,
                                          visibility=visibility)
            spare._log.close()
        self._layers = list(layers)
        self._workers = [worker for worker in self._workers if worker.alive] + [handle]
        try:
            handle.conn.send_bytes(pickle.dumps(assignment))
        except (OSError, ValueError):
            handle.kill()
        return handle

    def recycle(self, handle: PortableWorkerHandle) -> None:
        """Keep a released worker for the folder's next module if it proves clean, else kill it.

        Clean means: nothing went wrong on it (no timeout, crash, tampering, unreadable reply, call left
        in flight), its CPU time so far is well under its RLIMIT_CPU, and the worker itself found its
        state as after warm-up once the module was scrubbed away (grader.sandbox.recycle)."""
        self._workers = [worker for worker in self._workers if worker is not handle]
        if self._closed or not handle.alive or handle.dirty or handle._outstanding or handle.uses >= MAX_USES:
            handle.kill()
            return
        used = clocks.cpu_seconds(handle.pid)
        if used is None or used > CPU_LIMIT * REUSE_CPU_FRACTION:
            handle.kill()
            return
        reply = handle.request({"op": "recycle"}, RECYCLE_CPU_SECONDS)
        if reply.get("status") != "clean" or not handle.alive:
            self.last_refusal = str(reply.get("message") or reply.get("status"))[:200]
            handle.kill()
            return
        handle.alive = False  # this handle is spent; the process lives on in the pool
        self._idle.append(_Idle(handle.process, handle.conn, handle.scratch, handle.pid, list(handle.layers),
                                handle.folder, handle.visibility, handle.uses))

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
        self._workers.clear()
        self._waiting.clear()
        self._idle.clear()
        _remove(self._scratch_root)
