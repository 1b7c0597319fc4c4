"""Whether a spawned worker is as clean as right after its warm-up, so it may serve another module.

A spawned interpreter (grader.sandbox.portable) costs ~1.5 s of CPU to warm; reusing it for the
next module of the same learner folder saves that, but only when the next module cannot tell it
from a fresh one. `Baseline` is taken once after warm-up, before any learner code; `scrub()`
removes what the learner's module left that a fresh worker would not have (its modules, sibling
finders, source lines, scratch files, the RNG states), then `problem()` names the first piece of
process state that still differs (torch's global switches, threads, builtins, sys, library
namespaces, the environment, signal handlers...), or None. Anything named means the worker is
killed and a fresh one serves the next module: a wrong "clean" could change a verdict, a wrong
"dirty" only costs a spawn.
"""

from __future__ import annotations

import builtins
import gc
import linecache
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import types
import warnings
from typing import Any

import torch

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGALRM", "SIGUSR1", "SIGUSR2", "SIGHUP",
                                                    "SIGCHLD", "SIGPIPE", "SIGVTALRM", "SIGPROF")
                 if hasattr(signal, name))


def torch_state() -> dict[str, Any]:
    """torch's process-wide switches a learner module can flip (and a fresh worker would not have flipped)."""
    from torch._tensor_str import PRINT_OPTS

    state: dict[str, Any] = {
        "default dtype": torch.get_default_dtype(),
        "grad mode": torch.is_grad_enabled(),
        "inference mode": torch.is_inference_mode_enabled(),
        "anomaly detection": (torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()),
        "deterministic algorithms": (torch.are_deterministic_algorithms_enabled(),
                                     torch.is_deterministic_algorithms_warn_only_enabled()),
        "threads": (torch.get_num_threads(), torch.get_num_interop_threads()),
        "float32 matmul precision": torch.get_float32_matmul_precision(),
        "print options": dict(vars(PRINT_OPTS)),
        "torch function mode": torch._C._len_torch_function_stack(),
        "dispatch mode": torch._C._len_torch_dispatch_stack(),
        "autocast": torch.is_autocast_enabled("cpu") if _takes_device() else torch.is_autocast_cpu_enabled(),
    }
    if hasattr(torch, "get_default_device"):
        state["default device"] = str(torch.get_default_device())
    if hasattr(torch._C, "_get_flush_denormal"):
        state["flush denormal"] = torch._C._get_flush_denormal()
    return state


def _takes_device() -> bool:
    try:
        torch.is_autocast_enabled("cpu")
        return True
    except TypeError:
        return False


def thread_count() -> tuple[int, int]:
    """Python threads alive and raw `_thread` threads alive (learner threads show in one of them)."""
    import _thread

    return threading.active_count(), _thread._count()


def _namespace_keys(owner: Any) -> set[str]:
    return set(vars(owner))


class Baseline:
    """The process state right after warm-up and confinement, before the first learner module."""

    def __init__(self, scratch: str | None) -> None:
        from grader.sandbox import integrity

        self.scratch = scratch
        self.cwd = os.getcwd()
        self.torch = torch_state()
        self.threads = thread_count()
        self.builtins = dict(vars(builtins))
        self.path = list(sys.path)
        self.meta_path = list(sys.meta_path)
        self.path_hooks = list(sys.path_hooks)
        self.modules = dict(sys.modules)
        self.environ = dict(os.environ)
        self.tempdir = tempfile.tempdir
        self.library = [(owner, _namespace_keys(owner)) for owner in integrity.library_namespaces()]
        self.hooks = (sys.stdout, sys.stderr, sys.stdin, sys.displayhook, sys.excepthook, sys.breakpointhook,
                      sys.unraisablehook, getattr(threading, "excepthook", None))
        self.limits = (sys.getrecursionlimit(), sys.getswitchinterval(), gc.isenabled(), gc.get_threshold())
        self.signals = {number: signal.getsignal(number) for number in _SIGNALS}
        self.warnings = list(warnings.filters)
        self.rng = (torch.random.get_rng_state(), random.getstate(), _numpy_state())

    def scrub(self, learner_names: set[str], learner_files: set[str], folder: str) -> None:
        """Remove what a learner module leaves behind that a fresh worker would not have."""
        from grader.sandbox.worker import SiblingFinder

        for name, module in list(sys.modules.items()):
            if name in learner_names or _is_under(getattr(module, "__file__", None), folder):
                del sys.modules[name]
        sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, SiblingFinder)]
        for filename in list(linecache.cache):
            if filename in learner_files or _is_under(filename, folder):
                del linecache.cache[filename]
        for name in ("last_type", "last_value", "last_traceback", "last_exc"):
            if hasattr(sys, name):
                delattr(sys, name)
        gc.collect()  # the learner's objects' finalizers run now, before the state is compared
        if self.scratch:
            os.chdir(self.scratch)
            for entry in os.listdir(self.scratch):
                path = os.path.join(self.scratch, entry)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass
        else:
            os.chdir(self.cwd)
        torch.random.set_rng_state(self.rng[0])
        random.setstate(self.rng[1])
        if self.rng[2] is not None:
            import numpy

            numpy.random.set_state(self.rng[2])

    def problem(self) -> str | None:
        """The first piece of process state that differs from the baseline, or None when all match."""
        now = torch_state()
        for name, value in self.torch.items():
            if now.get(name) != value:
                return f"torch's {name} changed"
        if thread_count() != self.threads:
            return "a thread is still running"
        if os.getcwd() != (self.scratch or self.cwd) or (self.scratch and os.listdir(self.scratch)):
            return "the working folder could not be reset"
        if _differs(vars(builtins), self.builtins):
            return "builtins changed"
        if sys.path != self.path or sys.meta_path != self.meta_path or sys.path_hooks != self.path_hooks:
            return "the import system changed"
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                return f"sys.modules[{name!r}] changed"
        for name, module in sys.modules.items():
            if name not in self.modules and not _imported_library(name, module):
                return f"sys.modules gained {name!r}"
        for owner, keys in self.library:
            for name in _namespace_keys(owner) - keys:
                value = vars(owner)[name]
                if not (isinstance(value, types.ModuleType) and sys.modules.get(value.__name__) is value):
                    return f"{getattr(owner, '__name__', owner)}.{name} was added"
        if dict(os.environ) != self.environ or tempfile.tempdir != self.tempdir:
            return "the environment changed"
        hooks = (sys.stdout, sys.stderr, sys.stdin, sys.displayhook, sys.excepthook, sys.breakpointhook,
                 sys.unraisablehook, getattr(threading, "excepthook", None))
        if any(a is not b for a, b in zip(hooks, self.hooks)) or sys.gettrace() or sys.getprofile():
            return "an interpreter hook changed"
        if (sys.getrecursionlimit(), sys.getswitchinterval(), gc.isenabled(), gc.get_threshold()) != self.limits:
            return "an interpreter limit changed"
        if any(signal.getsignal(number) is not handler for number, handler in self.signals.items()):
            return "a signal handler changed"
        if hasattr(signal, "alarm") and signal.alarm(0):
            return "an alarm was set"
        if hasattr(signal, "getitimer") and any(signal.getitimer(which)[0] for which in (
                signal.ITIMER_REAL, signal.ITIMER_VIRTUAL, signal.ITIMER_PROF)):
            return "a timer was set"
        if warnings.filters != self.warnings:
            return "the warning filters changed"
        return None


def _differs(now: dict, saved: dict) -> bool:
    return now.keys() != saved.keys() or any(now[key] is not value for key, value in saved.items())


def _is_under(filename: Any, folder: str) -> bool:
    if not isinstance(filename, str) or not folder:
        return False
    return os.path.dirname(os.path.abspath(filename)) == folder


def _imported_library(name: str, module: Any) -> bool:
    """A module imported the ordinary way from the interpreter's own installation (not one made up)."""
    if not isinstance(module, types.ModuleType):
        return False
    spec = getattr(module, "__spec__", None)
    if spec is None or spec.name != name:
        return False
    if spec.origin in ("built-in", "frozen"):
        return True
    origin = getattr(spec, "origin", None)
    if not isinstance(origin, str) or not os.path.isabs(origin):
        return bool(spec.submodule_search_locations) and origin in (None, "namespace")  # a namespace package
    roots = {os.path.realpath(path) for path in (sys.prefix, sys.base_prefix, sys.exec_prefix, *_site_paths())}
    real = os.path.realpath(origin)
    return any(real.startswith(root + os.sep) for root in roots)


def _site_paths() -> list[str]:
    import site

    try:
        return [*site.getsitepackages(), site.getusersitepackages()]
    except AttributeError:
        return []


def _numpy_state() -> Any:
    numpy = sys.modules.get("numpy")
    return numpy.random.get_state() if numpy is not None else None
