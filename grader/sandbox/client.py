"""Trusted side of the boundary: start the zygote, spawn workers, call learner code with deadlines.

This module must not import torch at import time: `Zygote.start()` runs before the grader's
own torch import so both imports overlap. The zygote is the fork backend; grader.sandbox.backend
chooses between it and spawned interpreters (grader.sandbox.portable, with the same protocol:
spawn, layers, close) where fork or SOCK_SEQPACKET socketpairs are missing.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.i18n import tr
from grader.grading.outcomes import Failure, LearnerError, LearnerTimeout, ModuleUnavailable, NotImplementedYet
from grader.sandbox import clocks, confine
from grader.sandbox.wire import ChannelClosed, recv_frame, send_frame

MAX_REPLY_BYTES = 80 * 1024**2

MEMORY_LIMIT = 2 * 1024**3
CPU_LIMIT = 600
ZYGOTE_START_TIMEOUT = 120.0
MAX_EXCEPTION_TEXT = 200
_ENV_KEPT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "SYSTEMROOT")
_KNOWN_LAYERS = frozenset(confine.LAYERS) | {"user-namespace"}


class SandboxUnavailable(RuntimeError):
    """The zygote could not start: a broken installation, not a learner mistake."""


def disabled_from_env() -> frozenset[str]:
    """Layers switched off with GRADE_CONFINEMENT_OFF=a,b (for proving each layer; never for grading)."""
    names = {name.strip() for name in os.environ.get("GRADE_CONFINEMENT_OFF", "").split(",") if name.strip()}
    return frozenset(names & set(confine.LAYERS))


class Zygote:
    """A warm interpreter that forks one confined worker per learner module (restarted if it dies)."""

    def __init__(self, disabled: frozenset[str] = frozenset()) -> None:
        self._process: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._log: Any = None
        self._ready = False
        self._scratch_root: str | None = None
        self._layers: list[str] | None = None
        self.disabled = frozenset(disabled)
        self.restarts = 0

    backend = "fork"

    @classmethod
    def start(cls, disabled: frozenset[str] | None = None) -> "Zygote":
        """Launch the fork zygote now; it warms up in the background."""
        zygote = cls(disabled_from_env() if disabled is None else disabled)
        zygote._launch()
        return zygote

    def _launch(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        kit_parent = str(Path(__file__).resolve().parents[2])
        env = {key: value for key, value in os.environ.items() if key in _ENV_KEPT}
        env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
        boot = f"import sys; sys.path.insert(0, {kit_parent!r}); from grader.sandbox.zygote import main; main()"
        self._scratch_root = tempfile.mkdtemp(prefix="grade-scratch-")
        os.chmod(self._scratch_root, 0o711)  # workers reach their own folder, list nothing
        self._log = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-B", "-c", boot, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            env=env, start_new_session=True, cwd="/" if os.name == "posix" else None,
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

    def _plan(self) -> confine.Plan:
        from grader.catalog import metadata

        return confine.Plan(memory_bytes=MEMORY_LIMIT, cpu_seconds=CPU_LIMIT, scratch_root=self._scratch_root,
                            hidden_paths=confine.hidden_paths(*metadata.hidden_folders()),
                            disabled=self.disabled)

    def _fork(self, request: dict) -> "WorkerHandle":
        self._wait_ready()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            socket.send_fds(self._control, [pickle.dumps(request)], [theirs.fileno()])
            reply = self._control.recv(65536)
            if not reply:
                raise ConnectionError("the zygote closed its socket")
            handle = WorkerHandle.from_report(reply, ours)
            self._layers = handle.layers
            return handle
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()

    def spawn(self, path: Path, name: str) -> "WorkerHandle":
        """Fork a fresh confined worker for the module at `path`; relaunch the zygote once if it died."""
        try:
            return self._fork({"path": str(Path(path).absolute()), "name": name, "plan": self._plan()})
        except (OSError, ConnectionError, ValueError):
            self.close()
            self.restarts += 1
            self._launch()
            return self._fork({"path": str(Path(path).absolute()), "name": name, "plan": self._plan()})

    def layers(self) -> list[str]:
        """The confinement layers that held for the last worker (spawns one to find out if needed)."""
        if self._layers is None:
            probe = self.spawn(Path(os.devnull), "_layers_probe")
            probe.kill()
        return sorted(self._layers or [])

    def close(self) -> None:
        """Stop the zygote (its workers die with it) and remove the scratch root."""
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
            if self._scratch_root:
                shutil.rmtree(self._scratch_root, ignore_errors=True)


@dataclass
class WorkerHandle:
    """One live confined worker process, its socket, and the clocks that time it."""

    pid: int
    sock: socket.socket
    layers: list[str] = field(default_factory=list)
    cpu_file: str | None = None
    alive: bool = True
    _sent_at: float = 0.0
    _cpu_mark: float | None = None
    _delay_mark: float | None = None

    @classmethod
    def from_report(cls, reply: bytes, sock: socket.socket) -> "WorkerHandle":
        """Parse the zygote's JSON report, trusting nothing in it."""
        report = json.loads(reply.decode("utf-8"))
        pid = report.get("pid") if isinstance(report, dict) else None
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 1:
            raise ConnectionError(f"the worker did not start: {str(report)[:200]}")
        layers = [name for name in report.get("layers", []) if isinstance(name, str) and name in _KNOWN_LAYERS]
        cpu_file = report.get("cpu_file")
        if not (isinstance(cpu_file, str) and cpu_file.startswith("/sys/fs/cgroup/") and ".." not in cpu_file):
            cpu_file = None
        return cls(pid, sock, layers, cpu_file)

    def send(self, message: dict) -> bool:
        """Send a request and start its clocks; False when the worker is already gone."""
        from grader.sandbox import request_codec  # imports torch: not before the zygote started

        try:
            self._sent_at = time.monotonic()
            self._cpu_mark = self.cpu_seconds()
            self._delay_mark = self.run_delay()
            self._write(request_codec.dumps(message))
            return True
        except (OSError, ValueError, EOFError):
            self.kill()
            return False

    def _write(self, payload: bytes) -> None:
        self.sock.settimeout(None)
        send_frame(self.sock, payload)

    def _readable(self, timeout: float) -> bool:
        """True when a reply (or the end of the channel) is waiting, within `timeout` seconds."""
        ready, _, _ = select.select([self.sock], [], [], timeout)
        return bool(ready)

    def _read(self, deadline: float) -> bytes:
        """One reply frame by `deadline`, else socket.timeout; ChannelClosed or OSError when the worker is gone."""
        return recv_frame(self.sock, limit=MAX_REPLY_BYTES, deadline=deadline)

    @property
    def cpu_clock(self) -> bool:
        """Whether this worker's CPU time can be read (else its deadlines are on the wall clock)."""
        return self._cpu_mark is not None

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by the worker's whole tree (cgroup), else by the worker and its reaped children."""
        return clocks.cpu_seconds(self.pid, self.cpu_file)

    def run_delay(self) -> float | None:
        """Seconds the worker's main thread spent runnable but waiting for a CPU (a busy machine)."""
        return clocks.run_delay(self.pid)

    def used_since_send(self) -> tuple[float, float, float]:
        """(cpu, waiting-for-cpu, wall) seconds since the last request was sent."""
        wall = time.monotonic() - self._sent_at
        cpu_now = self.cpu_seconds() if self._cpu_mark is not None else None
        cpu = cpu_now - self._cpu_mark if cpu_now is not None else wall / clocks.WALL_FALLBACK_FACTOR
        delay_now = self.run_delay() if self._delay_mark is not None else None
        delay = delay_now - self._delay_mark if delay_now is not None else 0.0
        return max(cpu, 0.0), max(delay, 0.0), wall

    def receive(self, cpu_timeout: float) -> dict:
        """Wait for the decoded reply while the call has CPU time left; kill the worker when it runs out.

        Time spent waiting for a CPU on a busy machine is not counted. A call that sleeps or blocks
        (little CPU, not waiting for one) is stopped after `clocks.idle_limit(cpu_timeout)`.
        """
        from grader.sandbox import codec

        idle_limit = clocks.idle_limit(cpu_timeout)
        pause = 0.0  # a reply already waiting is taken whatever the clocks say: the trusted side may have been the slow one
        while True:
            try:
                ready = self._readable(pause)
            except (OSError, ValueError, EOFError):
                self.kill()
                return {"status": "crashed"}
            if ready:
                break
            cpu, delay, wall = self.used_since_send()
            if cpu >= cpu_timeout and not self.cpu_clock:  # no CPU clock here: the wall-clock fallback ran out
                self.kill()
                return {"status": "timeout", "timeout": "wall", "clock": "wall", "cpu": cpu, "wall": wall}
            if cpu >= cpu_timeout:
                self.kill()
                return {"status": "timeout", "timeout": "cpu", "cpu": cpu}
            if wall - cpu - delay >= idle_limit or wall >= clocks.hard_wall_limit(cpu_timeout):
                self.kill()
                return {"status": "timeout", "timeout": "wall", "cpu": cpu, "wall": wall}
            pause = min(max(cpu_timeout - cpu, 0.01), 0.25)
        try:
            payload = self._read(time.monotonic() + idle_limit)
        except socket.timeout:
            self.kill()
            return {"status": "timeout", "timeout": "wall"}
        except (ChannelClosed, OSError, EOFError):
            self.kill()
            return {"status": "crashed"}
        try:
            reply = codec.loads(payload)
            if not isinstance(reply, dict) or not isinstance(reply.get("status"), str):
                raise ValueError("not a reply")
        except Exception as exc:  # noqa: BLE001 - a forged or corrupt reply
            self.kill()
            return {"status": "unreadable", "message": f"the reply could not be read ({type(exc).__name__})"}
        reply["cpu"] = self.used_since_send()[0]
        return reply

    def request(self, message: dict, cpu_timeout: float) -> dict:
        """Send a request and wait for the decoded reply within `cpu_timeout` seconds of CPU."""
        return self.receive(max(cpu_timeout, 0.001)) if self.send(message) else {"status": "crashed"}

    def retire(self) -> None:
        """The module is done with this worker: the fork backend ends it (the portable one may reuse it)."""
        self.kill()

    def kill(self) -> None:
        """SIGKILL the worker (its PID namespace dies with it) and close its socket."""
        if self.alive:
            self.alive = False
            try:
                os.kill(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
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
    tampered: str | None = None

    def used(self, *patterns: str) -> list[str]:
        """Names of recorded torch calls that match any pattern (`mse_loss`, `binary_cross_entropy*`)."""
        if not self.monitored:
            raise RuntimeError("torch calls were not recorded: the exercise has no `forbidden` list in its metadata, "
                               "or the check module's FORBIDDEN_FOR does not name this function")
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
    """A learner's module behind the boundary, with the exercise's CPU-time budget shared by its calls.

    A worker that has served a hidden check never serves a public one (`visibility`), so nothing a
    hidden call passed in can surface in a public check's feedback; with the checks ordered public
    first (plugin.public_first) the public worker simply turns hidden, one worker per exercise. A
    backend with `chains` (the portable one, which reuses workers across modules) keeps them apart:
    the public worker is retired and a hidden-only worker loads the module (its import charged once).
    """

    zygote: Zygote
    path: Path
    name: str
    budget: float
    call_timeout: float
    monitor: bool = True
    watched: frozenset[str] | None = None  # the functions whose torch calls are recorded (None: all)
    spent: float = 0.0
    longest_call: float = 0.0
    visibility: str = "public"
    _workers: dict[str, WorkerHandle] = field(default_factory=dict)
    _spawned: list[WorkerHandle] = field(default_factory=list)
    _load_failure: ModuleUnavailable | None = None
    _hung: dict[str, str] = field(default_factory=dict)  # function -> kind of deadline it ran into
    last_output: str = ""

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def layers(self) -> list[str] | None:
        """The confinement layers that held for every worker of this module (None: no worker yet)."""
        held = [set(worker.layers) for worker in self._spawned]
        return sorted(set.intersection(*held)) if held else None

    def remaining(self) -> float:
        return self.budget - self.spent

    def ensure_loaded(self) -> WorkerHandle:
        """A worker (for the current visibility) with the module imported, or ModuleUnavailable."""
        if self._load_failure is not None:
            raise self._load_failure
        worker = self._workers.get(self.visibility)
        if worker is not None and worker.alive:
            return worker
        chains = getattr(self.zygote, "chains", False)  # a reusing backend keeps public and hidden workers apart
        reload = False
        if self.visibility == "hidden":  # the public worker turns hidden for good: it never serves public again
            public = self._workers.pop("public", None)
            if public is not None and public.alive and chains:
                public.retire()  # it may serve the folder's next public checks; a hidden-only one loads the module
                reload = True
            elif public is not None and public.alive:
                self._workers["hidden"] = public
                return public
        if not self.path.is_file():
            self._load_failure = ModuleUnavailable(tr("{file} is missing from the submission folder", file=self.filename),
                                                   "error")
            raise self._load_failure
        if self.remaining() <= 0:
            raise LearnerTimeout(tr("{file} used up its CPU-time budget of {budget:g} s", file=self.filename,
                                    budget=self.budget))
        if chains:
            worker = self.zygote.spawn(self.path, self.name, visibility=self.visibility)
        else:
            worker = self.zygote.spawn(self.path, self.name)
        self._spawned.append(worker)
        reply = worker.request({"op": "load"}, min(self.remaining(), self.call_timeout))
        if not reload:  # the module's import is charged once per exercise, as with one worker
            self.spent += float(reply.get("cpu", 0.0) or 0.0)
        if reply["status"] == "ok":
            self._workers[self.visibility] = worker
            return worker
        worker.kill()
        if reply["status"] == "timeout" and reply.get("timeout") == "wall":
            failure = ModuleUnavailable(tr(
                "importing {file} did not finish: it waited without using the CPU "
                "(sleeping, or waiting for input?) and was stopped", file=self.filename), "timeout")
        elif reply["status"] == "timeout":
            failure = ModuleUnavailable(tr(
                "importing {file} did not finish: it used {cpu:.3g} s "
                "of CPU time (is there an infinite loop or a long computation at module level?)", file=self.filename,
                cpu=min(self.remaining(), self.call_timeout)), "timeout")
        else:
            failure = ModuleUnavailable(tr("{file} could not be loaded: {problem}", file=self.filename,
                                           problem=_describe(reply)), "error")
        failure.kind = reply.get("timeout")  # type: ignore[attr-defined]
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
            raise LearnerTimeout(tr("{function}() did not finish in an earlier check, so this one was not run",
                                    function=function),
                                 kind=self._hung[function])
        worker = self.ensure_loaded()
        timeout = min(self.remaining(), self.call_timeout)
        if timeout <= 0:
            raise LearnerTimeout(tr("{file} used up its CPU-time budget of {budget:g} s before this check",
                                    file=self.filename, budget=self.budget))
        monitor = self.monitor and (self.watched is None or function in self.watched)
        request = {"op": op, "name": target, "args": args, "kwargs": kwargs, "monitor": monitor}
        sent = worker.send(request)
        return PendingCall(self, worker, function, timeout, sent, monitor)

    def _finish(self, pending: "PendingCall") -> CallResult:
        from grader.sandbox import codec

        worker, function = pending.worker, pending.function
        reply = worker.receive(pending.timeout) if pending.sent else {"status": "crashed"}
        cpu = float(reply.get("cpu", 0.0) or 0.0)
        self.spent += cpu
        self.longest_call = max(self.longest_call, cpu)
        self.last_output = str(reply.get("output", "") or "")
        status = reply["status"]
        if status == "ok":
            try:
                return CallResult(
                    value=codec.decode(reply["value"]), args=codec.decode(reply["args"]),
                    kwargs=codec.decode(reply["kwargs"]), calls=frozenset(str(c) for c in reply.get("calls", ())),
                    output=self.last_output, seconds=float(reply.get("seconds", 0.0)),
                    monitored=pending.monitor, tampered=str(reply.get("tampered") or "") or None,
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                worker.kill()
                reply = {"status": "unreadable", "message": f"the reply could not be read ({type(exc).__name__})"}
                status = "unreadable"
        if not worker.alive:
            self._workers.pop(self.visibility, None)
        if status == "timeout":
            kind = "wall" if reply.get("timeout") == "wall" else "cpu"
            self._hung[function] = kind
            if reply.get("clock") == "wall":
                raise LearnerTimeout(tr(
                    "{function}() did not finish within its time, measured on the wall clock "
                    "(this computer's CPU time could not be read)", function=function), kind="wall")
            if kind == "wall":
                raise LearnerTimeout(tr(
                    "{function}() did not finish: it spent its time waiting without using the CPU "
                    "(sleeping, waiting for input, or blocked) and was stopped", function=function), kind="wall")
            raise LearnerTimeout(tr(
                "{function}() did not finish: it used {cpu:.3g} s of CPU time and was stopped "
                "(an infinite loop? a loop that never reaches its end condition?)", function=function,
                cpu=pending.timeout), kind="cpu")
        if status == "missing":
            raise Failure(tr("{file} has no function {function}()", file=self.filename, function=function),
                          hint=tr("Define {function}() with the signature given in the exercise.", function=function))
        if status == "raised" and reply.get("type") == "NotImplementedError":
            raise NotImplementedYet(tr("{function}() is not implemented yet (it still raises NotImplementedError)",
                                       function=function),
                                    hint=tr("Open {file}, find the TODO in {function}() and replace the raise with your code.",
                                            file=self.filename, function=function))
        if status == "tampered":
            raise LearnerError(tr("{function}() could not be judged: {problem}", function=function, problem=_describe(reply)),
                               hint=tr("Exercise code must not patch torch, builtins or the grader's code."))
        if status == "crashed":
            raise LearnerError(tr("the process running {function}() stopped abruptly (it called os._exit, "
                                  "was killed, or ran out of memory)", function=function))
        where = tr(" (at {where})", where=_text(reply.get("where"))) if reply.get("where") else ""
        from grader.grading.known_errors import recognise

        known = recognise(reply) if status == "raised" else None
        if known is not None:  # a classic mistake: named, with our own words instead of PyTorch's long text
            raise LearnerError(known.message(function, reply), hint=tr(known.hint), mistake=known.mistake,
                               safe_message=tr("{function}() raised {error}{where}", function=function,
                                               error=_text(reply.get("type")), where=where))
        raise LearnerError(tr("{function}() {problem}", function=function, problem=_describe(reply)), hint=_hint_for(reply),
                           safe_message=tr("{function}() raised {error}{where}", function=function,
                                           error=_text(reply.get("type")) or tr("an error"), where=where))

    def close(self) -> None:
        """The exercise is graded: its workers are retired (ended, or kept for the folder's next module of the
        same visibility); without chains a worker that served hidden checks ends (it never serves public ones)."""
        chains = getattr(self.zygote, "chains", False)
        for visibility, worker in self._workers.items():
            if visibility == "public" or chains:
                worker.retire()
            else:
                worker.kill()
        self._workers.clear()


@dataclass
class PendingCall:
    """A learner call in flight; `result()` waits for it (within its CPU-time allowance)."""

    module: LearnerModule
    worker: WorkerHandle
    function: str
    timeout: float
    sent: bool
    monitor: bool = True

    def result(self) -> CallResult:
        return self.module._finish(self)


def _text(value: Any, limit: int = MAX_EXCEPTION_TEXT) -> str:
    """Learner-controlled text, as a capped single string."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _describe(reply: dict) -> str:
    """One line: what the learner's code raised and where, in their own file."""
    status = reply.get("status")
    if status == "crashed":
        return tr("the process stopped abruptly while importing it (os._exit? out of memory?)")
    if status == "unreadable":
        return tr("returned something the grader cannot read: {problem}", problem=_text(reply.get("message")))
    if status == "tampered":
        return tr("your code changed code the grader relies on in its process ({problem})",
                  problem=_text(reply.get("message"), 120))
    if reply.get("kind") == "memory":
        text = tr("ran out of memory")
    elif reply.get("type") == "_ExitCalled":
        text = tr("called os._exit()")
    elif reply.get("type") == "SystemExit":
        text = tr("called sys.exit()") if not reply.get("message") else tr(
            "called sys.exit({code})", code=_text(reply["message"], 40))
    else:
        message = _text(reply.get("message"))
        error = _text(reply.get("type"), 60)
        text = tr("raised {error}: {message}", error=error, message=message) if message else tr(
            "raised {error}", error=error)
    where = reply.get("where")
    if where:
        if reply.get("code"):
            # the learner's line between backticks: a closing parenthesis after it is ours, not theirs
            text += tr(" (at {where}: `{code}`)", where=_text(where, 80), code=_text(reply["code"], 120))
        else:
            text += tr(" (at {where})", where=_text(where, 80))
    missing = _missing_module(reply)
    if missing:
        text += tr(". If {module} is one of your own modules, put {module}.py in the same folder as your exercise files",
                   module=missing)
    return text


def _missing_module(reply: dict) -> str | None:
    """The top-level module a ModuleNotFoundError names, when it could be the learner's own file."""
    if reply.get("type") != "ModuleNotFoundError":
        return None
    found = re.match(r"No module named '([A-Za-z_][A-Za-z0-9_]*)'", _text(reply.get("message")))
    return found.group(1) if found else None


def _hint_for(reply: dict) -> str | None:
    kind = reply.get("type")
    if kind in {"SystemExit", "KeyboardInterrupt"}:
        return tr("Exercise functions must return their result; do not exit the program.")
    if kind == "_ExitCalled":
        return tr("Exercise functions must return their result; do not call os._exit().")
    if reply.get("kind") == "memory":
        return tr("Your code asked for far more memory than the exercise needs.")
    return None
