"""The worker: loads one learner module and answers call/probe requests over its channel."""

from __future__ import annotations

import importlib.abc
import importlib.util
import linecache
import os
import pickle
import signal
import sys
import tempfile
import time
import traceback
import types
from typing import Any, Callable

import torch

from grader.probes import PROBES
from grader.sandbox import codec, integrity, request_codec  # noqa: F401 - rebuilds the requests' tensors
from grader.sandbox import recycle, sources
from grader.sandbox.monitor import CallRecorder
from grader.sandbox.wire import ChannelClosed

MAX_OUTPUT = 2000
_NO_SUBCLASS_OVERRIDES = torch._C.DisableTorchFunctionSubclass
MAX_SOURCE_BYTES = sources.MAX_SOURCE_BYTES


class _ExitCalled(BaseException):
    """Raised in place of os._exit so the grader can say what happened."""


def _forbid_hard_exit() -> None:
    def refuse(code: int = 0) -> None:
        raise _ExitCalled(f"os._exit({code}) was called")

    os._exit = refuse  # type: ignore[assignment]


class OutputCapture:
    """Sends fd 1 and 2 to a temp file so learner prints never reach the grader's stdout."""

    def __init__(self) -> None:
        if hasattr(os, "memfd_create"):  # in memory: needs no writable folder (and none is shared)
            self._file = os.fdopen(os.memfd_create("learner-output"), "w+b")
        else:
            self._file = tempfile.TemporaryFile(mode="w+b")
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(self._file.fileno(), 1)
        os.dup2(self._file.fileno(), 2)
        self._read = 0

    def take(self) -> str:
        """Text printed since the last call (truncated)."""
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        self._file.seek(self._read)
        data = self._file.read(MAX_OUTPUT * 4)
        self._read = self._file.seek(0, os.SEEK_END)
        text = data.decode("utf-8", "replace")
        return text[:MAX_OUTPUT] + ("…" if len(text) > MAX_OUTPUT else "")


class SiblingFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the learner's other modules of the graded folder from sources read before confinement.

    Last on sys.meta_path: a sibling never shadows the standard library or an installed package.
    """

    def __init__(self, siblings: dict[str, tuple[str, bytes]]) -> None:
        self.siblings = dict(siblings)

    def find_spec(self, fullname, path=None, target=None):
        if path is not None or fullname not in self.siblings:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=self.siblings[fullname][0])

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        filename, source = self.siblings[module.__name__]
        _register_source(filename, source)
        module.__file__ = filename
        exec(compile(source, filename, "exec", dont_inherit=True), module.__dict__)


def _register_source(filename: str, source: bytes) -> None:
    """Lines for tracebacks and echoed code: the worker can't read the learner's files itself."""
    text = sources.decode(source)
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)


def describe_exception(exc: BaseException, module_path: str, learner_files: frozenset[str] = frozenset()) -> dict:
    """Type, message and the learner's own file:line (never the grader's frames)."""
    where, code = None, None
    own = learner_files | {module_path}
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"{os.path.basename(exc.filename)}:{exc.lineno}"
        code = (exc.text or "").strip().lstrip("\ufeff") or None
    else:
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            if frame.f_code.co_filename in own:
                filename = frame.f_code.co_filename
                where = f"{os.path.basename(filename)}:{lineno}"
                code = _source_line(filename, lineno)
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001
        message = "<unprintable message>"
    if isinstance(exc, MemoryError) or "can't allocate memory" in message or "not enough memory" in message:
        kind = "memory"
    else:
        kind = type(exc).__name__
    return {
        "status": "raised",
        "type": type(exc).__name__,
        "kind": kind,
        "message": message[:1000],
        "where": where,
        "code": code,
    }


def _source_line(path: str, lineno: int) -> str | None:
    """The learner's line, from the source registered at load (the worker can't read files)."""
    line = linecache.getline(path, lineno)
    return line.strip()[:200] or None


def _probe_files() -> list[str]:
    import grader.probes

    return [grader.probes.__file__, *(module.__file__ for module in grader.probes.MODULES)]


PROBE_FILES = _probe_files()  # listed in the zygote: a confined worker can't list the kit


def _watched_code() -> list[Any]:
    """The grader's worker-side code a forged observation would have to change."""
    import grader.probes
    from grader.sandbox import dictversion, monitor, plain, wire

    return [codec, plain, wire, request_codec, dictversion, monitor, monitor.CallRecorder, sys.modules[__name__], Worker,
            OutputCapture,
            integrity, integrity.Snapshot, grader.probes, *grader.probes.MODULES]  # shared and every exercise's probes


def take_snapshot() -> integrity.Snapshot:
    """The integrity baseline: the zygote takes it once for every worker it forks (~7 ms each saved)."""
    return integrity.Snapshot(_watched_code(), integrity.library_namespaces(), PROBES)


class Worker:
    """Holds the learner module and runs requests against it."""

    def __init__(self, module_path: str, module_name: str, source: bytes | None,
                 snapshot: integrity.Snapshot | None = None,
                 siblings: dict[str, tuple[str, bytes]] | None = None) -> None:
        self.module_path = os.path.abspath(module_path)
        self.module_name = module_name
        self.source = source
        self.siblings = {name: found for name, found in (siblings or {}).items() if name != module_name}
        self.learner_files = frozenset(path for path, _ in self.siblings.values())
        self.module: Any = None
        self.probes = dict(PROBES)
        self.snapshot = snapshot or take_snapshot()
        # the kit's own frames end the monitor's stack scan (a learner frame would let torch.optim hide)
        self.boundary = frozenset({__file__, *PROBE_FILES})

    def load(self) -> dict:
        """Run the learner's module from the source read before confinement."""
        filename = os.path.basename(self.module_path)
        if self.source is None or len(self.source) > MAX_SOURCE_BYTES:
            why = ("could not be read (it must be a regular file, not a link)" if self.source is None
                   else "is larger than 2 MB")
            return {"status": "raised", "type": "ImportError", "kind": "ImportError",
                    "message": f"{filename} {why}", "where": None, "code": None}
        _register_source(self.module_path, self.source)
        if self.siblings:
            sys.meta_path.append(SiblingFinder(self.siblings))
        module = types.ModuleType(self.module_name)
        module.__file__ = self.module_path
        sys.modules[self.module_name] = module
        exec(compile(self.source, self.module_path, "exec", dont_inherit=True), module.__dict__)
        self.module = module
        return {"status": "ok", "value": None}

    def call(self, name: str, args: tuple, kwargs: dict, monitor: bool) -> dict:
        function = getattr(self.module, name, None)
        if function is None or not callable(function):
            return {"status": "missing", "message": f"{os.path.basename(self.module_path)} has no function {name}()"}
        return self._run(lambda: function(*args, **kwargs), args, kwargs, monitor)

    def probe(self, name: str, args: tuple, kwargs: dict, monitor: bool) -> dict:
        probe = self.probes[name]  # the registry as it was before the learner's module loaded

        def observe():
            with _NO_SUBCLASS_OVERRIDES():  # a learner's tensor subclass can't answer the probe's own calls
                return probe(self.module, *args, **kwargs)

        return self._run(observe, args, kwargs, monitor)

    def _run(self, thunk, args: tuple, kwargs: dict, monitor: bool) -> dict:
        torch.set_grad_enabled(True)
        recorder = CallRecorder(self.boundary)
        started = time.perf_counter()
        if monitor:  # the TorchFunctionMode roughly doubles the cost of small ops: only when asked
            with recorder:
                value = thunk()
        else:
            value = thunk()
        elapsed = time.perf_counter() - started
        return {
            "status": "ok",
            "value": codec.encode(value),
            "args": codec.encode(list(args)),
            "kwargs": codec.encode(kwargs),
            "seconds": elapsed,
            **recorder.summary(),
        }

    def handle(self, request: dict) -> dict:
        op = request["op"]
        try:
            if op == "load":
                return self.load()
            if op == "call":
                return self.call(request["name"], request["args"], request["kwargs"], request.get("monitor", True))
            if op == "probe":
                return self.probe(request["name"], request["args"], request["kwargs"], request.get("monitor", True))
            return {"status": "raised", "type": "ValueError", "kind": "ValueError",
                    "message": f"unknown op {op}", "where": None, "code": None}
        except BaseException as exc:  # noqa: BLE001 - learner code may raise anything
            return describe_exception(exc, self.module_path, self.learner_files)


def serve(channel: Any, module_path: str, module_name: str, source: bytes | None,
          snapshot: integrity.Snapshot | None = None,
          siblings: dict[str, tuple[str, bytes]] | None = None,
          next_module: Callable[[], dict | None] | None = None) -> None:
    """Worker main loop (already confined); never returns.

    `channel` has `recv_bytes()` and `send_bytes(payload)`: a framed socket (fork backend) or a
    multiprocessing connection (spawned backend). With `next_module` (the spawned backend) a
    `recycle` request asks whether the worker is still as clean as a fresh one (grader.sandbox.recycle):
    if so it takes the next assignment `next_module()` returns (None: exit), else it exits.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    real_exit = os._exit
    capture = OutputCapture()
    for stream in (sys.stdout, sys.stderr):  # the capture is read as UTF-8, whatever the console's code page
        try:
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
        except (AttributeError, ValueError, OSError):
            pass
    _forbid_hard_exit()
    baseline = None
    if next_module is not None:
        baseline = recycle.Baseline()  # before any learner module loads
    while True:
        worker = Worker(module_path, module_name, source, snapshot, siblings)
        # taken before the learner's module loads; this running frame's code can't be swapped
        changed, changed_code = worker.snapshot.changed, worker.snapshot.changed.__func__.__code__
        while True:
            try:
                request = pickle.loads(channel.recv_bytes())
            except (ChannelClosed, OSError, EOFError):
                real_exit(0)
            if baseline is not None and request.get("op") == "recycle":
                break
            reply = worker.handle(request)
            what = "the integrity check" if changed.__func__.__code__ is not changed_code else changed()
            if what is not None:
                reply = {"status": "tampered", "message": what}
            reply["output"] = capture.take()
            try:
                payload = codec.dumps(reply)
            except BaseException as exc:  # noqa: BLE001 - encoding a learner value may fail
                payload = codec.dumps({"status": "unreadable", "message": f"{type(exc).__name__}: {exc}"[:500],
                                       "output": reply.get("output", "")})
            try:
                channel.send_bytes(payload)
            except (OSError, ValueError):
                real_exit(0)
        problem = _recycled(worker, baseline, changed)
        capture.take()  # what the last module printed is not the next one's
        try:
            channel.send_bytes(codec.dumps({"status": "clean" if problem is None else "dirty",
                                            "message": problem or ""}))
        except (OSError, ValueError):
            real_exit(0)
        if problem is not None:
            real_exit(0)
        assignment = next_module()
        if assignment is None:
            real_exit(0)
        module_path, module_name = assignment["path"], assignment["name"]
        source, siblings = assignment["source"], assignment.get("siblings")


def _recycled(worker: Worker, baseline: Any, changed: Callable[[], str | None]) -> str | None:
    """Remove the served module and say what, if anything, keeps this worker from serving another."""
    try:
        tampered = changed()
        if tampered is not None:
            return f"the integrity check ({tampered})"
        finder = next((f for f in sys.meta_path if isinstance(f, SiblingFinder)), None)
        worker.module = None
        baseline.forget_learner([worker.module_name, *worker.siblings], [worker.module_path, *worker.learner_files],
                                finder)
        problem = baseline.problem()
        if problem is None:
            baseline.restore_random()
        return problem
    except BaseException as exc:  # noqa: BLE001 - learner objects may raise anything when looked at
        return f"the worker could not be checked ({type(exc).__name__})"
