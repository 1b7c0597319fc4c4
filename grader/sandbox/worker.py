"""The worker: loads one learner module and answers call/probe requests over its socket."""

from __future__ import annotations

import ctypes
import importlib.util
import os
import pickle
import resource
import signal
import socket
import sys
import tempfile
import time
import traceback
from typing import Any

import torch

from grader.sandbox import codec
from grader.sandbox.monitor import CallRecorder
from grader.sandbox.wire import ChannelClosed, recv_frame, send_frame

MAX_OUTPUT = 2000


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (no orphaned infinite loops)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not on Linux: the parent still kills by pid
        pass


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    """Cap the address space (above what torch already maps) and CPU time of this worker."""
    if memory_bytes > 0:
        limit = _vm_size() + memory_bytes
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    except (ValueError, OSError):
        pass


class _ExitCalled(BaseException):
    """Raised in place of os._exit so the grader can say what happened."""


def _forbid_hard_exit() -> None:
    def refuse(code: int = 0) -> None:
        raise _ExitCalled(f"os._exit({code}) was called")

    os._exit = refuse  # type: ignore[assignment]


class OutputCapture:
    """Sends fd 1 and 2 to a temp file so learner prints never reach the grader's stdout."""

    def __init__(self) -> None:
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


def describe_exception(exc: BaseException, module_path: str) -> dict:
    """Type, message and the learner's own file:line (never the grader's frames)."""
    where, code = None, None
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"{os.path.basename(exc.filename)}:{exc.lineno}"
        code = (exc.text or "").strip() or None
    else:
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            if os.path.abspath(frame.f_code.co_filename) == module_path:
                where = f"{os.path.basename(module_path)}:{lineno}"
                code = _source_line(module_path, lineno)
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
    try:
        with open(path, encoding="utf-8", errors="replace") as source:
            for number, line in enumerate(source, start=1):
                if number == lineno:
                    return line.strip()[:200]
    except OSError:
        pass
    return None


def _probe_files() -> list[str]:
    import grader.probes

    folder = os.path.dirname(grader.probes.__file__)
    return [os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".py")]


class Worker:
    """Holds the learner module and runs requests against it."""

    def __init__(self, module_path: str, module_name: str) -> None:
        self.module_path = os.path.abspath(module_path)
        self.module_name = module_name
        self.module: Any = None
        # frames of these files end the monitor's stack scan: what calls torch.optim is below them
        self.boundary = frozenset({self.module_path, __file__, *_probe_files()})

    def load(self) -> dict:
        spec = importlib.util.spec_from_file_location(self.module_name, self.module_path)
        if spec is None or spec.loader is None:
            return {"status": "raised", "type": "ImportError", "kind": "ImportError",
                    "message": f"cannot load {self.module_path}", "where": None, "code": None}
        module = importlib.util.module_from_spec(spec)
        sys.modules[self.module_name] = module
        spec.loader.exec_module(module)
        self.module = module
        return {"status": "ok", "value": None}

    def call(self, name: str, args: tuple, kwargs: dict, monitor: bool) -> dict:
        function = getattr(self.module, name, None)
        if function is None or not callable(function):
            return {"status": "missing", "message": f"{os.path.basename(self.module_path)} has no function {name}()"}
        return self._run(lambda: function(*args, **kwargs), args, kwargs, monitor)

    def probe(self, name: str, args: tuple, kwargs: dict, monitor: bool) -> dict:
        from grader.probes import PROBES

        probe = PROBES[name]
        return self._run(lambda: probe(self.module, *args, **kwargs), args, kwargs, monitor)

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
            return describe_exception(exc, self.module_path)


def serve(sock: socket.socket, module_path: str, module_name: str, memory_bytes: int, cpu_seconds: int) -> None:
    """Worker main loop; never returns."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_resources(memory_bytes, cpu_seconds)
    real_exit = os._exit
    capture = OutputCapture()
    _forbid_hard_exit()
    worker = Worker(module_path, module_name)
    while True:
        try:
            request = pickle.loads(recv_frame(sock))
        except (ChannelClosed, OSError, EOFError):
            real_exit(0)
        reply = worker.handle(request)
        reply["output"] = capture.take()
        try:
            payload = codec.dumps(reply)
        except BaseException as exc:  # noqa: BLE001 - encoding a learner value may fail
            payload = codec.dumps({"status": "unreadable", "message": f"{type(exc).__name__}: {exc}"[:500],
                                   "output": reply.get("output", "")})
        try:
            send_frame(sock, payload)
        except OSError:
            real_exit(0)
