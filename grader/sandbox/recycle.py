"""Whether a spawned worker that served one module is as clean as a fresh one, so it may serve the next.

A fresh interpreter costs the portable backend ~1.5 s of CPU (torch and its lazy optimizer
imports). A worker that has served a learner module may serve the next module *of the same
folder* (the same learner's code, confined the same way) only when nothing that module did can
change what the next one computes: the `Baseline`, taken before the first module loaded, is
compared after each module has been removed, and any difference ends the worker instead. The
random number generators are put back as they were (a fresh interpreter has them so too).
"""

from __future__ import annotations

import builtins
import gc
import linecache
import os
import random
import sys
import types
import threading
import warnings
from typing import Any, Callable, Iterable

from grader.sandbox import dictversion

MAX_REUSED_CPU = 120.0  # CPU seconds after which a worker is not reused (its RLIMIT_CPU is far above)
MAX_REUSED_RSS = 1024**3  # resident bytes after which a worker is not reused
_MISSING = object()


def _torch_state() -> tuple:
    """torch's process-wide settings a learner module could leave changed."""
    import torch

    readers: list[Callable[[], Any]] = [
        torch.get_default_dtype, torch.is_grad_enabled, torch.is_inference_mode_enabled, torch.is_anomaly_enabled,
        torch.are_deterministic_algorithms_enabled, torch.get_num_threads, torch.get_num_interop_threads,
        torch.is_warn_always_enabled, torch.get_float32_matmul_precision,
        getattr(torch, "get_default_device", lambda: None),
        getattr(torch._C, "_len_torch_function_stack", lambda: None),
        getattr(torch._C, "_is_torch_function_mode_enabled", lambda: None),
        lambda: torch.backends.mkldnn.enabled, lambda: torch.backends.cpu.get_cpu_capability(),
    ]
    state = []
    for read in readers:
        try:
            state.append(read())
        except Exception:  # noqa: BLE001 - a reader this torch lacks: the same answer both times
            state.append("?")
    return tuple(state)


def _process_state() -> tuple:
    """The interpreter's process-wide settings (paths, hooks, streams, warnings, environment, threads)."""
    return (
        tuple(sys.path), tuple(map(id, sys.meta_path)), tuple(map(id, sys.path_hooks)), sys.gettrace(),
        sys.getprofile(), sys.getrecursionlimit(), sys.getswitchinterval(), id(sys.stdin), id(sys.stdout),
        id(sys.stderr), sys.displayhook, sys.excepthook, sys.breakpointhook, sys.dont_write_bytecode,
        tuple(warnings.filters), dict(os.environ), os.getcwd(), gc.isenabled(), gc.get_threshold(),
        frozenset(thread.ident for thread in threading.enumerate()), id(builtins.__dict__),
    )


def _rng_states() -> dict[str, Any]:
    import torch

    states: dict[str, Any] = {"torch": torch.get_rng_state(), "random": random.getstate()}
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        states["numpy"] = numpy.random.get_state()
    return states


class Baseline:
    """The worker's state before any learner module loaded: what a fresh interpreter would have."""

    def __init__(self) -> None:
        self.modules = {name: module for name, module in list(sys.modules.items())}
        self.namespaces = {name: dict(vars(module)) for name, module in self.modules.items()
                           if isinstance(getattr(module, "__dict__", None), dict)}
        self._dicts = [(name, vars(self.modules[name])) for name in self.namespaces]
        self._read = dictversion.version_of
        self._tags = None if self._read is None else [self._read(d) for _, d in self._dicts]
        self.torch = _torch_state()
        self.process = _process_state()
        self.rng = _rng_states()
        self.builtin_names = frozenset(vars(builtins))

    def forget_learner(self, names: Iterable[str], files: Iterable[str], finder: Any = None) -> None:
        """Remove what loading the learner's modules added: their sys.modules entries, sources, sibling finder."""
        for name in names:
            if name not in self.modules:
                sys.modules.pop(name, None)
        for filename in files:
            linecache.cache.pop(filename, None)
        if finder is not None and finder in sys.meta_path:
            sys.meta_path.remove(finder)
        gc.collect()

    def problem(self) -> str | None:
        """What differs from the baseline (the worker must not be reused), or None when it is clean."""
        if _torch_state() != self.torch:
            return "torch's global settings changed"
        now = _process_state()
        if now != self.process:
            return "the interpreter's settings, threads or environment changed"
        for name, module in self.modules.items():
            if sys.modules.get(name, _MISSING) is not module:
                return f"the module {name} was replaced or removed"
        for name, module in list(sys.modules.items()):
            if name not in self.modules and not _imported_library(name, module):
                return f"sys.modules gained {name!r}, not imported from the installation"
        tags = None if self._read is None else [self._read(d) for _, d in self._dicts]
        for index, (name, namespace) in enumerate(self._dicts):
            if tags is not None and tags[index] == self._tags[index]:
                continue  # not modified since the baseline
            saved = self.namespaces[name]
            for key, value in saved.items():
                if namespace.get(key, _MISSING) is not value:
                    return f"{name}.{key} was changed"
            if name != "builtins" and any(key in self.builtin_names and key not in saved for key in namespace):
                return f"a name of {name} shadows a builtin"
            if name == "builtins" and namespace.keys() != saved.keys():
                return "builtins gained a name"
            for key in namespace.keys() - saved.keys():  # a lazily imported submodule, or state left for later
                value = namespace[key]
                if not (isinstance(value, types.ModuleType) and sys.modules.get(value.__name__) is value):
                    return f"{name} gained the name {key}"
        if tags is not None:
            self._tags = tags  # modules only gained names (lazy imports): the new baseline
        if _cpu_seconds() > MAX_REUSED_CPU or _resident_bytes() > MAX_REUSED_RSS:
            return "the worker has used much CPU time or memory"
        return None

    def restore_random(self) -> None:
        """The random number generators as a fresh interpreter has them."""
        import torch

        torch.set_rng_state(self.rng["torch"])
        random.setstate(self.rng["random"])
        if "numpy" in self.rng:
            sys.modules["numpy"].random.set_state(self.rng["numpy"])


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _resident_bytes() -> int:
    try:
        import psutil

        return psutil.Process().memory_info().rss
    except Exception:  # noqa: BLE001 - unreadable here: judged by CPU time alone
        return 0


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
