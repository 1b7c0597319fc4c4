"""The layers the kernel enforces around one worker, applied after the fork, before learner code.

A worker is two processes. The outer one (forked from the zygote, still the grader's user)
makes the private scratch folder and the cgroup, enters new PID, network and IPC namespaces,
forks the inner one, waits for it and cleans up. The inner one is PID 1 of its namespace (when
it dies the kernel kills everything it started), drops root for a user id of its own, takes
resource limits and Landlock, and only then loads the learner's module.

Each layer is tried on its own; what held is reported, so a machine without one still grades.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import signal
import site
import sys
import tempfile
import time
from dataclasses import dataclass, field

from grader.sandbox import landlock, seccomp

try:
    import resource
except ImportError:  # Windows: no rlimits; the layer is reported missing
    resource = None  # type: ignore[assignment]

LAYERS = ("landlock", "pid-namespace", "no-network", "ipc-namespace", "unprivileged",
          "resource-limits", "cgroup", "private-tmp", "seccomp")

CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x10000000, 0x20000000, 0x40000000
_CLONE_NEWNS = 0x00020000
_MS_NOSUID, _MS_NODEV, _MS_BIND, _MS_REC, _MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE = 1, 4
WORKER_UID_BASE = 100_000
MAX_PROCESSES = 128
MAX_OPEN_FILES = 256
MAX_FILE_BYTES = 64 * 1024**2
_CGROUP_ROOT = "/sys/fs/cgroup"
_CGROUP_CONTROLLERS = ("memory", "pids", "cpuacct")
_CGROUP_PREFIX = "grade-worker-"


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def linux() -> bool:
    return sys.platform.startswith("linux")


def make_undumpable() -> None:
    """No core dumps, no ptrace or /proc/<pid>/mem by same-user processes (trusted side, zygote)."""
    if linux():
        _libc().prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


def die_with_parent(signal_number: int | None = None) -> None:
    """Ask Linux to signal this process (SIGKILL by default) when its parent dies (no orphaned infinite loops)."""
    if linux():
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL if signal_number is None else signal_number, 0, 0, 0)


def sweep_cgroups() -> None:
    """Remove worker cgroups left behind by a grader that was killed (only empty ones can go)."""
    if not (linux() and os.geteuid() == 0):
        return
    for controller in _CGROUP_CONTROLLERS:
        own = _own_cgroup(controller)
        parent = os.path.join(_CGROUP_ROOT, controller, (own or "/").lstrip("/"))
        try:
            names = [name for name in os.listdir(parent) if name.startswith(_CGROUP_PREFIX)]
        except OSError:
            continue
        for name in names:
            try:
                os.rmdir(os.path.join(parent, name))
            except OSError:
                pass  # still in use


@dataclass(frozen=True)
class Plan:
    """What the trusted side asks for: limits, the scratch root, the paths learner code must not see."""

    memory_bytes: int
    cpu_seconds: int
    scratch_root: str
    hidden_paths: tuple[str, ...]
    disabled: frozenset[str] = frozenset()

    def wants(self, layer: str) -> bool:
        return layer not in self.disabled


@dataclass
class Outer:
    """What the outer process set up and must clean up."""

    scratch: str | None = None
    uid: int | None = None
    cgroups: list[str] = field(default_factory=list)
    cpu_file: str | None = None
    layers: list[str] = field(default_factory=list)


def prepare_outer(plan: Plan, readable: list[str]) -> Outer:
    """In the outer process: scratch folder, cgroup, namespaces (before forking the inner one)."""
    outer = Outer()
    is_root = linux() and os.geteuid() == 0
    if is_root and plan.wants("unprivileged") and _reachable_by_anyone(readable):
        outer.uid = WORKER_UID_BASE + os.getpid()
    if plan.wants("private-tmp"):
        outer.scratch = tempfile.mkdtemp(prefix="w", dir=plan.scratch_root)
        os.chmod(outer.scratch, 0o700)
        if outer.uid is not None:
            os.chown(outer.scratch, outer.uid, outer.uid)
        outer.layers.append("private-tmp")
    if is_root and plan.wants("cgroup"):
        _join_cgroups(outer, plan.memory_bytes)
    if linux():
        _enter_namespaces(outer, plan, is_root)
    return outer


def _closed_ancestors(path: str) -> list[str]:
    """Ancestors of `path` that other users can't traverse (e.g. /root, mode 700)."""
    found = []
    current = os.path.dirname(path)
    while current and current != os.path.dirname(current):
        try:
            if not os.stat(current).st_mode & 0o001:
                found.append(current)
        except OSError:
            pass
        current = os.path.dirname(current)
    return found


def _reachable_by_anyone(readable: list[str]) -> bool:
    """Make every readable root reachable by an unprivileged user id, in a mount namespace of our own.

    An interpreter installed under a closed home (pyenv in /root) is unreachable once root is
    dropped; a private tmpfs over the closed folder, holding bind mounts of just the readable
    roots, opens the way to them and hides the rest of that home. False when that can't be done
    (then the worker keeps its user id: a wrong verdict is worse than a missing layer).
    """
    closed = sorted({ancestor for path in readable for ancestor in _closed_ancestors(path)})
    tops = [path for path in closed if not _under_any(os.path.dirname(path), tuple(closed))]
    if not tops:
        return True
    libc = _libc()
    if libc.unshare(_CLONE_NEWNS) != 0:
        return False
    if libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
        return False
    for top in tops:
        inside = [path for path in readable if _under_any(path, (top,))]
        fds = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in inside if os.path.exists(path)}
        try:
            if libc.mount(b"tmpfs", top.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, b"mode=755,size=1m") != 0:
                return False
            for path, fd in fds.items():
                if os.path.isdir(f"/proc/self/fd/{fd}"):
                    os.makedirs(path, mode=0o755, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
                    open(path, "a").close()
                if libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, _MS_BIND | _MS_REC, None) != 0:
                    libc.umount2(top.encode(), 2)  # MNT_DETACH: back to the full view, keep the user id
                    return False
        finally:
            for fd in fds.values():
                os.close(fd)
    return True


def _own_cgroup(controller: str) -> str | None:
    try:
        with open("/proc/self/cgroup") as lines:
            for line in lines:
                _, names, path = line.rstrip("\n").split(":", 2)
                if controller in names.split(","):
                    return path
    except OSError:
        pass
    return None


def _join_cgroups(outer: Outer, memory_bytes: int) -> None:
    """cgroup v1: memory, process count and CPU time of the whole worker tree (root only)."""
    made = []
    try:
        for controller in _CGROUP_CONTROLLERS:
            own = _own_cgroup(controller)
            base = os.path.join(_CGROUP_ROOT, controller)
            if own is None or not os.path.isdir(base):
                raise OSError(f"no {controller} cgroup")
            path = os.path.join(base, own.lstrip("/"), f"{_CGROUP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}")
            os.mkdir(path)
            made.append(path)
            if controller == "memory":
                _write(os.path.join(path, "memory.limit_in_bytes"), str(memory_bytes))
            elif controller == "pids":
                _write(os.path.join(path, "pids.max"), str(MAX_PROCESSES))
            else:
                outer.cpu_file = os.path.join(path, "cpuacct.usage")
            _write(os.path.join(path, "cgroup.procs"), str(os.getpid()))
    except OSError:
        outer.cpu_file = None
        _leave_cgroups(made)
        return
    outer.cgroups = made
    outer.layers.append("cgroup")


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def _leave_cgroups(paths: list[str]) -> None:
    for path in paths:
        try:
            _write(os.path.join(os.path.dirname(path), "cgroup.procs"), str(os.getpid()))
        except OSError:
            pass
    for path in paths:
        for _ in range(50):
            try:
                os.rmdir(path)
                break
            except OSError:
                time.sleep(0.01)  # the dead tree's last tasks are still leaving


_SHARED = {"host_net": None}  # the zygote's own empty network namespace, when it could make one


def isolate_zygote_network() -> None:
    """As root, move the zygote into an empty network namespace once, for all its workers.

    A fresh network namespace per worker costs tens of milliseconds to create and tear down;
    one empty namespace, shared, isolates just as well (no interface is up, and workers can't
    make sockets). The host's namespace is kept open for a worker asked to run without it.
    """
    if not (linux() and os.geteuid() == 0):
        return
    try:
        host = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    if _libc().unshare(CLONE_NEWNET) != 0:
        os.close(host)
        return
    _SHARED["host_net"] = host


def _enter_namespaces(outer: Outer, plan: Plan, is_root: bool) -> None:
    wanted = {"pid-namespace": CLONE_NEWPID, "no-network": CLONE_NEWNET, "ipc-namespace": CLONE_NEWIPC}
    flags = 0
    for layer, flag in wanted.items():
        if plan.wants(layer):
            flags |= flag
    host_net = _SHARED["host_net"]
    if host_net is not None:
        if flags & CLONE_NEWNET:
            flags &= ~CLONE_NEWNET  # already in the zygote's empty namespace
            outer.layers.append("no-network")
        elif _libc().setns(host_net, CLONE_NEWNET) != 0:
            outer.layers.append("no-network")  # could not go back: still isolated
    if not flags:
        return
    libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    user_ns = not is_root
    if libc.unshare(flags | (CLONE_NEWUSER if user_ns else 0)) != 0:
        if is_root and libc.unshare(flags | CLONE_NEWUSER) == 0:  # root in a container without CAP_SYS_ADMIN
            user_ns = True
        else:
            return
    if user_ns:
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError:
            pass
        outer.uid = None  # inside a user namespace the identity is already unprivileged outside it
    outer.layers.extend(layer for layer, flag in wanted.items() if flags & flag)
    if user_ns:
        outer.layers.append("user-namespace")


def cleanup_outer(outer: Outer) -> None:
    """In the outer process, after the inner one is gone: remove the scratch folder and cgroups."""
    if outer.scratch:
        shutil.rmtree(outer.scratch, ignore_errors=True)
    if outer.cgroups:
        _leave_cgroups(outer.cgroups)


def confine_inner(plan: Plan, outer: Outer, keep_fds: tuple[int, ...], readable: list[str]) -> list[str]:
    """In the inner process: privileges, limits, Landlock, scratch as cwd. Returns the layers held."""
    layers = list(outer.layers)
    _close_other_fds(keep_fds)
    if outer.scratch:
        os.chdir(outer.scratch)
        for name in ("TMPDIR", "HOME", "MPLCONFIGDIR", "XDG_CACHE_HOME", "TORCHINDUCTOR_CACHE_DIR"):
            os.environ[name] = outer.scratch
        tempfile.tempdir = outer.scratch
    else:
        os.chdir("/")
    if plan.wants("resource-limits") and limit_resources(plan, per_uid_processes=outer.uid is not None):
        layers.append("resource-limits")
    if _drop_privileges(outer.uid):
        layers.append("unprivileged")
    die_with_parent()  # after the uid change, which clears the parent-death signal
    if linux() and plan.wants("landlock"):
        writable = [outer.scratch] if outer.scratch else []
        try:
            landlock.restrict(readable, writable, ["/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"])
            layers.append("landlock")
        except OSError:
            pass
    if linux() and plan.wants("seccomp"):
        try:
            seccomp.forbid_new_sockets()
            layers.append("seccomp")
        except OSError:
            pass
    sys.path[:] = [p for p in sys.path if p and not _under_any(os.path.realpath(p), plan.hidden_paths)]
    return layers


def _close_other_fds(keep: tuple[int, ...]) -> None:
    start = 3
    for fd in sorted(keep):
        if fd >= start:
            os.closerange(start, fd)
            start = fd + 1
    os.closerange(start, 4096)


def limit_resources(plan: Plan, per_uid_processes: bool) -> bool:
    """rlimits on open files, file size, core dumps, memory and CPU; True when the file-size and CPU limits held."""
    if resource is None:  # Windows: no rlimits
        return False
    held = True
    limits = [(resource.RLIMIT_NOFILE, MAX_OPEN_FILES), (resource.RLIMIT_FSIZE, MAX_FILE_BYTES),
              (resource.RLIMIT_CORE, 0)]
    if per_uid_processes:  # counted per user id: only safe when the worker has a user id of its own
        limits.append((resource.RLIMIT_NPROC, MAX_PROCESSES))
    if plan.memory_bytes > 0:
        limits.append((resource.RLIMIT_AS, _vm_size() + plan.memory_bytes))
    for which, value in limits:
        try:
            soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            held = held and which not in (resource.RLIMIT_FSIZE, resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (plan.cpu_seconds, plan.cpu_seconds + 5))
    except (ValueError, OSError):
        held = False
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails with an error instead
    return held


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:  # no /proc (macOS): the same figure through psutil
        import psutil

        return int(psutil.Process().memory_info().vms)
    except Exception:  # noqa: BLE001 - no figure: the memory limit counts from zero
        return 0


def _drop_privileges(uid: int | None) -> bool:
    """Root becomes a user id of its own, no groups, no capabilities; True when the worker is unprivileged."""
    if not linux():
        return os.name == "posix" and os.geteuid() != 0
    if uid is not None:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        except OSError:
            return False
    _drop_capabilities()
    return os.geteuid() != 0 and _no_capabilities()


def _drop_capabilities() -> None:
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    _libc().capset(header, data)


def _no_capabilities() -> bool:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(("CapEff:", "CapPrm:")) and int(line.split()[1], 16) != 0:
                    return False
    except OSError:
        return False
    return True


def _under_any(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def readable_paths(hidden: tuple[str, ...], shared: tuple[str, ...] = ()) -> list[str]:
    """What learner code may read: the interpreter, the stdlib, third-party packages, shared libraries.

    Computed once in the zygote. A root that holds a hidden path (the kit installed into
    site-packages, say) is opened up entry by entry around it. `shared` are kit folders learner
    code may read (the exercises' data sets).
    """
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable)), *site.getsitepackages(),
             "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/usr/share/zoneinfo",
             "/etc/ld.so.cache", "/etc/localtime"}
    for module in ("torch", "numpy"):
        found = sys.modules.get(module)
        if found is not None and getattr(found, "__file__", None):
            roots.add(os.path.dirname(os.path.dirname(os.path.realpath(found.__file__))))
    hidden_real = tuple(os.path.realpath(path) for path in hidden)
    allowed: list[str] = []
    for root in sorted(roots):
        real = os.path.realpath(root)
        if os.path.exists(real):
            allowed.extend(_open_around(real, hidden_real))
    allowed.extend(os.path.realpath(path) for path in shared if os.path.exists(path))
    return sorted(set(allowed))


def _open_around(root: str, hidden: tuple[str, ...]) -> list[str]:
    if _under_any(root, hidden):
        return []
    if not any(_under_any(path, (root,)) for path in hidden):
        return [root]
    try:
        entries = os.listdir(root)
    except OSError:
        return []
    found: list[str] = []
    for name in entries:
        found.extend(_open_around(os.path.join(root, name), hidden))
    return found


def hidden_paths(*folders: str) -> tuple[str, ...]:
    """The kit's answers, checks, mistake variants and recorded answers (grader/, solutions/ and the
    exercise folders a course adds from elsewhere): carved out of any readable root.

    Everything else of the kit's folder is unreadable anyway: it is in no readable root.
    """
    return tuple(sorted({os.path.realpath(p) for p in folders}))
