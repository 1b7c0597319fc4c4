"""Trusted side of the boundary: start the zygote, spawn workers, call learner code with deadlines.

This module must not import torch at import time: `Zygote.start()` runs before the grader's
own torch import so both imports overlap.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.outcomes import Failure, LearnerError, LearnerTimeout, ModuleUnavailable, NotImplementedYet
from grader.sandbox.wire import ChannelClosed, recv_frame, send_frame

MEMORY_LIMIT = 2 * 1024**3
CPU_LIMIT = 600
ZYGOTE_START_TIMEOUT = 120.0


class SandboxUnavailable(RuntimeError):
    """The zygote could not start: a broken installation, not a learner mistake."""


class Zygote:
    """A warm interpreter that forks one worker per learner module (restarted if learner code kills it)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._log: Any = None
        self._ready = False
        self.restarts = 0

    @classmethod
    def start(cls) -> "Zygote":
        """Launch the zygote now; it warms up in the background."""
        zygote = cls()
        zygote._launch()
        return zygote

    def _launch(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        kit_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (kit_root, env.get("PYTHONPATH")) if p)
        env.setdefault("OMP_NUM_THREADS", "1")
        self._log = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "grader.sandbox.zygote", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            env=env, start_new_session=True,
        )
        theirs.close()
        self._control = ours
        self._ready = False

    def _wait_ready(self) -> None:
        if self._ready:
            return
        self._control.settimeout(ZYGOTE_START_TIMEOUT)
        try:
            message = self._control.recv(64)
        except (OSError, socket.timeout):
            message = b""
        if message != b"ready":
            self._log.seek(0)
            detail = self._log.read().decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise SandboxUnavailable(f"the grading sandbox did not start: {detail[0]}")
        self._control.settimeout(None)
        self._ready = True

    def _fork(self, request: dict) -> "WorkerHandle":
        self._wait_ready()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            socket.send_fds(self._control, [pickle.dumps(request)], [theirs.fileno()])
            reply = self._control.recv(64)
            if not reply:
                raise ConnectionError("the zygote closed its socket")
            return WorkerHandle(pickle.loads(reply), ours)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()

    def spawn(self, path: Path, name: str) -> "WorkerHandle":
        """Fork a fresh worker for the module at `path`; relaunch the zygote once if it died."""
        request = {"path": str(path), "name": name, "memory": MEMORY_LIMIT, "cpu": CPU_LIMIT}
        try:
            return self._fork(request)
        except (OSError, ConnectionError, EOFError, pickle.UnpicklingError):
            self.close()
            self.restarts += 1
            self._launch()
            return self._fork(request)

    def close(self) -> None:
        """Stop the zygote (its workers die with it)."""
        if self._process is None:
            return
        try:
            self._control.close()
        finally:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            self._log.close()
            self._process = None


@dataclass
class WorkerHandle:
    """One live worker process and its socket."""

    pid: int
    sock: socket.socket
    alive: bool = True

    def send(self, message: dict) -> bool:
        """Send a request; False when the worker is already gone."""
        try:
            self.sock.settimeout(None)
            send_frame(self.sock, pickle.dumps(message))
            return True
        except OSError:
            self.kill()
            return False

    def receive(self, deadline: float) -> dict:
        """Wait until `deadline` (time.monotonic) for the decoded reply; kill the worker if it is late."""
        from grader.sandbox import codec

        try:
            payload = recv_frame(self.sock, deadline=deadline)
        except socket.timeout:
            self.kill()
            return {"status": "timeout"}
        except (ChannelClosed, OSError):
            self.kill()
            return {"status": "crashed"}
        try:
            return codec.loads(payload)
        except Exception as exc:  # noqa: BLE001 - a forged or corrupt reply
            self.kill()
            return {"status": "unreadable", "message": f"the reply could not be read ({type(exc).__name__})"}

    def request(self, message: dict, timeout: float) -> dict:
        """Send a request and wait at most `timeout` seconds for the decoded reply."""
        deadline = time.monotonic() + max(timeout, 0.001)
        return self.receive(deadline) if self.send(message) else {"status": "crashed"}

    def kill(self) -> None:
        """SIGKILL the worker and close its socket."""
        if self.alive:
            self.alive = False
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.sock.close()


@dataclass
class CallResult:
    """A learner call's decoded return value, the arguments after the call, and what it used."""

    value: Any
    args: list
    kwargs: dict
    calls: frozenset[str]
    output: str
    seconds: float
    monitored: bool = True

    def used(self, *patterns: str) -> list[str]:
        """Names of recorded torch calls that match any pattern (`mse_loss`, `binary_cross_entropy*`)."""
        if not self.monitored:
            raise RuntimeError("torch calls were not recorded: the exercise has no `forbidden` list in its metadata")
        found = []
        for name in sorted(self.calls):
            bare = name.strip("_").removeprefix("special_")
            for pattern in patterns:
                if pattern.endswith("*") and bare.startswith(pattern[:-1]) or bare == pattern:
                    found.append(name)
                    break
        return found


@dataclass
class LearnerModule:
    """A learner's module behind the boundary, with the exercise's time budget shared by its calls."""

    zygote: Zygote
    path: Path
    name: str
    budget: float
    call_timeout: float
    monitor: bool = True
    unmonitored: frozenset[str] = frozenset()
    spent: float = 0.0
    _worker: WorkerHandle | None = None
    _load_failure: ModuleUnavailable | None = None
    _hung: set[str] = field(default_factory=set)
    last_output: str = ""

    @property
    def filename(self) -> str:
        return self.path.name

    def remaining(self) -> float:
        return self.budget - self.spent

    def _timed(self, worker: WorkerHandle, message: dict, timeout: float) -> dict:
        started = time.monotonic()
        try:
            return worker.request(message, timeout)
        finally:
            self.spent += time.monotonic() - started

    def ensure_loaded(self) -> WorkerHandle:
        """A worker with the module imported, or ModuleUnavailable."""
        if self._load_failure is not None:
            raise self._load_failure
        if self._worker is not None and self._worker.alive:
            return self._worker
        if not self.path.is_file():
            self._load_failure = ModuleUnavailable(f"{self.filename} is missing from {self.path.parent}", "error")
            raise self._load_failure
        if self.remaining() <= 0:
            raise LearnerTimeout(f"{self.filename} used up its time budget of {self.budget:g} s")
        worker = self.zygote.spawn(self.path, self.name)
        reply = self._timed(worker, {"op": "load"}, min(self.remaining(), self.call_timeout))
        if reply["status"] == "ok":
            self._worker = worker
            return worker
        worker.kill()
        if reply["status"] == "timeout":
            failure = ModuleUnavailable(
                f"importing {self.filename} did not finish within {self.call_timeout:g} s "
                "(is there an infinite loop or a long computation at module level?)", "timeout")
        else:
            failure = ModuleUnavailable(f"{self.filename} could not be loaded: {_describe(reply)}", "error")
        self._load_failure = failure
        raise failure

    def call(self, name: str, *args: Any, **kwargs: Any) -> CallResult:
        """Call learner function `name` in the worker with copies of the arguments."""
        return self._request("call", name, name, args, kwargs)

    def probe(self, probe: str, *args: Any, function: str, **kwargs: Any) -> CallResult:
        """Run trusted probe `probe` in the worker against the module; `function` names what it exercises."""
        return self._request("probe", probe, function, args, kwargs)

    def submit(self, name: str, *args: Any, **kwargs: Any) -> "PendingCall":
        """Start a learner call and return at once (the trusted side can compute meanwhile)."""
        return self._start("call", name, name, args, kwargs)

    def _request(self, op: str, target: str, function: str, args: tuple, kwargs: dict) -> CallResult:
        return self._start(op, target, function, args, kwargs).result()

    def _start(self, op: str, target: str, function: str, args: tuple, kwargs: dict) -> "PendingCall":
        if function in self._hung:
            raise LearnerTimeout(f"{function}() did not finish in an earlier check, so this one was not run")
        worker = self.ensure_loaded()
        timeout = min(self.remaining(), self.call_timeout)
        if timeout <= 0:
            raise LearnerTimeout(f"{self.filename} used up its time budget of {self.budget:g} s before this check")
        monitor = self.monitor and function not in self.unmonitored
        request = {"op": op, "name": target, "args": args, "kwargs": kwargs, "monitor": monitor}
        started = time.monotonic()
        sent = worker.send(request)
        return PendingCall(self, worker, function, started, started + timeout, sent, monitor)

    def _finish(self, pending: "PendingCall") -> CallResult:
        from grader.sandbox import codec

        worker, function = pending.worker, pending.function
        try:
            reply = worker.receive(pending.deadline) if pending.sent else {"status": "crashed"}
        finally:
            self.spent += time.monotonic() - pending.started
        self.last_output = str(reply.get("output", "") or "")
        timeout = pending.deadline - pending.started
        status = reply["status"]
        if status == "ok":
            return CallResult(
                value=codec.decode(reply["value"]), args=codec.decode(reply["args"]),
                kwargs=codec.decode(reply["kwargs"]), calls=frozenset(reply.get("calls", ())),
                output=str(reply.get("output", "")), seconds=float(reply.get("seconds", 0.0)),
                monitored=pending.monitor,
            )
        self._worker = None if not worker.alive else worker
        if status == "timeout":
            self._hung.add(function)
            raise LearnerTimeout(
                f"{function}() did not finish within {timeout:.3g} s and was stopped "
                "(an infinite loop? a loop that never reaches its end condition?)")
        if status == "missing":
            raise Failure(str(reply["message"]), hint=f"Define {function}() with the signature given in the exercise.")
        if status == "raised" and reply.get("type") == "NotImplementedError":
            raise NotImplementedYet(f"{function}() is not implemented yet (it still raises NotImplementedError)",
                                    hint=f"Open {self.filename}, find the TODO in {function}() and replace the raise with your code.")
        if status == "crashed":
            raise LearnerError(f"the process running {function}() stopped abruptly (it called os._exit, "
                               "was killed, or ran out of memory)")
        where = f" (at {reply['where']})" if reply.get("where") else ""
        raise LearnerError(f"{function}() {_describe(reply)}", hint=_hint_for(reply),
                           safe_message=f"{function}() raised {reply.get('type', 'an error')}{where}")

    def close(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None


@dataclass
class PendingCall:
    """A learner call in flight; `result()` waits for it (within its deadline)."""

    module: LearnerModule
    worker: WorkerHandle
    function: str
    started: float
    deadline: float
    sent: bool
    monitor: bool = True

    def result(self) -> CallResult:
        return self.module._finish(self)


def _describe(reply: dict) -> str:
    """One line: what the learner's code raised and where, in their own file."""
    status = reply.get("status")
    if status == "crashed":
        return "the process stopped abruptly while importing it (os._exit? out of memory?)"
    if status == "unreadable":
        return f"returned something the grader cannot read: {reply.get('message', '')}"
    if reply.get("kind") == "memory":
        text = "ran out of memory"
    elif reply.get("type") == "_ExitCalled":
        text = "called os._exit()"
    elif reply.get("type") == "SystemExit":
        text = "called sys.exit()" if not reply.get("message") else f"called sys.exit({reply['message']})"
    else:
        message = reply.get("message") or ""
        text = f"raised {reply.get('type')}" + (f": {message}" if message else "")
    where = reply.get("where")
    if where:
        text += f" (at {where}"
        text += f": {reply['code']})" if reply.get("code") else ")"
    return text


def _hint_for(reply: dict) -> str | None:
    kind = reply.get("type")
    if kind in {"SystemExit", "KeyboardInterrupt"}:
        return "Exercise functions must return their result; do not exit the program."
    if kind == "_ExitCalled":
        return "Exercise functions must return their result; do not call os._exit()."
    if reply.get("kind") == "memory":
        return "Your code asked for far more memory than the exercise needs."
    return None
