"""Every confinement layer is load-bearing.

For each layer there is an attack that only that layer stops: run through the low-level
interface (`LearnerModule.call`), it is held with every layer on and gets through with just
that layer switched off (`Zygote.start(disabled=...)`). Where two layers stop the same attack
by design (too many processes: rlimits and the cgroup; a datagram to the host: the network
namespace and the seccomp filter on new sockets), the attack gets through only with both off.

The attacks only ever touch what the test set up for them (a world-writable folder and marker
files in /tmp, a shared-memory segment, a UDP listener on 127.0.0.1) and the kit's files they
try to read; every process they start is named after the test's token and killed by the test.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import sys
import tempfile
import textwrap
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from grader.catalog import kit
from grader.grading.outcomes import LearnerError
from grader.sandbox.client import MEMORY_LIMIT, LearnerModule, Zygote

LAYERS = ("landlock", "pid-namespace", "no-network", "ipc-namespace", "unprivileged", "resource-limits",
          "cgroup", "private-tmp", "seccomp")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the layers are Linux mechanisms")


@pytest.fixture(scope="module")
def zygotes():
    """zygotes(*disabled) -> a warm zygote with those layers off (one per combination, shared)."""
    started: dict[frozenset, Zygote] = {}

    def get(*disabled: str) -> Zygote:
        key = frozenset(disabled)
        if key not in started:
            started[key] = Zygote.start(disabled=key)
        return started[key]

    yield get
    for zygote in started.values():
        zygote.close()


@contextmanager
def learner(zygote: Zygote, folder: Path, source: str, call_timeout: float = 20.0):
    """The attack module behind the boundary; its worker is killed on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "attack.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    module = LearnerModule(zygote=zygote, path=path, name="attack", budget=120.0, call_timeout=call_timeout,
                           monitor=False)
    try:
        yield module
    finally:
        module.close()


def run_attack(zygote: Zygote, folder: Path, source: str, *args):
    """The attack's return value; records which layers held for its worker (see `layers_of`)."""
    with learner(zygote, folder, source) as module:
        try:
            return module.call("attack", *args).value
        finally:
            _LAST_LAYERS[zygote] = set(module.layers)


_LAST_LAYERS: dict[Zygote, set[str]] = {}


def layers_of(zygote: Zygote) -> set[str]:
    """The layers that held for the last attack run through `zygote` (not some other worker)."""
    return _LAST_LAYERS.get(zygote, set(zygote.layers()))


def assert_layers(on: Zygote, off: Zygote, *layers: str) -> None:
    assert set(layers) <= layers_of(on), f"{layers} not active for the attack with every layer on: {layers_of(on)}"
    assert not set(layers) & layers_of(off), f"{layers} still active although switched off: {layers_of(off)}"


def named(token: str) -> dict[int, str]:
    """Live (not zombie) processes whose name is the attack's token."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as comm, open(f"/proc/{entry}/stat") as stat:
                name, state = comm.read().strip(), stat.read().rsplit(")", 1)[-1].split()[0]
        except (OSError, IndexError):
            continue
        if name == f"zk{token[:8]}" and state != "Z":
            found[int(entry)] = name
    return found


def kill_named(token: str) -> None:
    for pid in named(token):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


# landlock ------------------------------------------------------------------------------------

READ_ANSWERS = """
    def attack(paths):
        found = {}
        for name, path in paths.items():
            try:
                with open(path, encoding="utf-8") as handle:
                    found[name] = len(handle.read()) > 0
            except OSError as exc:
                found[name] = False
        return found
"""


def test_landlock_hides_answers_and_checks(zygotes, tmp_path):
    """Landlock alone keeps the answers from the worker, wherever the kit is checked out.

    Dropping root also hides a checkout under a closed home (a mode-700 /root is covered by a
    private tmpfs), so the control switches that layer off as well, and a third zygote keeps root
    and the full view of the disk with Landlock on: what holds there is Landlock's doing.
    """
    paths = {"solutions": str(kit.SOLUTIONS_DIR / "ex02_cost.py"), "checks": str(kit.CURRICULUM_DIR / "ex02_cost" / "checks.py"),
             "mistakes": str(kit.CURRICULUM_DIR / "ex02_cost" / "mistakes.py")}
    on, landlock_only, off = zygotes(), zygotes("unprivileged"), zygotes("landlock", "unprivileged")
    assert run_attack(on, tmp_path / "on", READ_ANSWERS, paths) == {name: False for name in paths}
    assert run_attack(landlock_only, tmp_path / "landlock_only", READ_ANSWERS, paths) == {name: False for name in paths}
    assert "landlock" in layers_of(landlock_only)
    assert run_attack(off, tmp_path / "off", READ_ANSWERS, paths) == {name: True for name in paths}
    assert_layers(on, off, "landlock")


WRITE_OUTSIDE = """
    def attack(folder, name):
        try:
            with open(folder + "/" + name, "w") as handle:
                handle.write("# zz_kit_attack marker\\n")
            return True
        except OSError:
            return False
"""


def test_landlock_keeps_writes_inside_the_scratch_folder(zygotes, tmp_path):
    """A world-writable folder: only Landlock stands between the worker's own user id and it."""
    target = Path(tempfile.mkdtemp(prefix="zz_kit_attack_", dir="/tmp"))
    try:
        os.chmod(target, 0o777)
        on, off = zygotes(), zygotes("landlock")
        assert run_attack(on, tmp_path / "on", WRITE_OUTSIDE, str(target), "held") is False
        assert not (target / "held").exists()
        assert run_attack(off, tmp_path / "off", WRITE_OUTSIDE, str(target), "open") is True
        assert (target / "open").exists()
        assert_layers(on, off, "landlock")
    finally:
        shutil.rmtree(target, ignore_errors=True)


# pid namespace -------------------------------------------------------------------

PARENT = """
    import os

    def attack():
        return {"pid": os.getpid(), "ppid": os.getppid()}
"""


def test_pid_namespace_hides_every_process_outside_the_worker(zygotes, tmp_path):
    """In its own PID namespace the worker is PID 1 and cannot even name its parent."""
    on, off = zygotes(), zygotes("pid-namespace")
    held = run_attack(on, tmp_path / "on", PARENT)
    assert held["pid"] == 1 and held["ppid"] == 0, held
    escaped = run_attack(off, tmp_path / "off", PARENT)
    assert escaped["pid"] > 1 and escaped["ppid"] > 1, escaped
    assert_layers(on, off, "pid-namespace")


OUTLIVE = """
    import ctypes
    import os
    import posix
    import time

    def attack(token):
        child = os.fork()
        if child:
            os.waitpid(child, 0)
            return "forked"
        try:
            os.setsid()
            if os.fork() == 0:
                ctypes.CDLL(None).prctl(15, ("zk" + token[:8]).encode(), 0, 0, 0)
                started = time.time()
                while time.time() - started < 15:
                    time.sleep(0.2)
        finally:
            posix._exit(0)
"""


def test_no_process_outlives_its_worker(zygotes, tmp_path):
    """A double-forked, setsid grandchild is not covered by the parent-death signal or a kill by pid:
    only the end of its PID namespace ends it (a v1 cgroup limits the tree but kills nothing)."""
    on, off = zygotes(), zygotes("pid-namespace")
    tokens = uuid.uuid4().hex, uuid.uuid4().hex
    try:
        for zygote, token, folder in ((on, tokens[0], "on"), (off, tokens[1], "off")):
            with learner(zygote, tmp_path / folder, OUTLIVE) as module:
                assert module.call("attack", token).value == "forked"
                _LAST_LAYERS[zygote] = set(module.layers)
                deadline = time.monotonic() + 5
                while not named(token) and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert named(token), "the grandchild did not start"
        time.sleep(1.0)
        assert not named(tokens[0]), "a process outlived its worker with every layer on"
        assert named(tokens[1]), "with the PID namespace off the grandchild should outlive its worker"
        assert_layers(on, off, "pid-namespace")
    finally:
        for token in tokens:
            kill_named(token)


# network --------------------------------------------------------------------------------------

UDP = """
    import socket

    def attack(port, token):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.sendto(token.encode(), ("127.0.0.1", port))
            return "sent"
        except OSError as exc:
            return type(exc).__name__
"""


def _received(listener: socket.socket, wait: float = 1.0) -> list[bytes]:
    listener.settimeout(wait)
    found = []
    while True:
        try:
            found.append(listener.recv(256))
        except OSError:
            return found


def test_network_namespace_and_socket_filter_each_stop_udp_to_the_host(zygotes, tmp_path):
    """Landlock restricts TCP only: a UDP datagram to the host is stopped by the network namespace,
    and again by the seccomp filter that refuses new sockets; with both off it arrives."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        token = uuid.uuid4().hex
        for disabled in ((), ("no-network",), ("seccomp",)):
            outcome = run_attack(zygotes(*disabled), tmp_path / "-".join(("on",) + disabled), UDP, port, token)
            assert outcome != "sent", f"a datagram left the worker with {disabled or 'nothing'} switched off"
        both = zygotes("no-network", "seccomp")
        assert run_attack(both, tmp_path / "off", UDP, port, token + "-off") == "sent"
        assert _received(listener) == [(token + "-off").encode()]
    assert_layers(zygotes(), both, "no-network", "seccomp")
    assert_layers(zygotes(), zygotes("no-network"), "no-network")


CONNECT = """
    import socket

    def attack(family, address, token):
        try:
            with socket.socket(getattr(socket, family), socket.SOCK_STREAM) as client:
                client.settimeout(2.0)
                client.connect(tuple(address) if family == "AF_INET" else address)
                client.sendall(token.encode())
            return "sent"
        except OSError as exc:
            return type(exc).__name__
"""


def test_tcp_to_the_host_is_refused(zygotes, tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        server.settimeout(1.0)
        assert run_attack(zygotes(), tmp_path, CONNECT, "AF_INET", ["127.0.0.1", server.getsockname()[1]],
                          "zz_kit_attack") != "sent"
        with pytest.raises(OSError):
            server.accept()[0].close()


@contextmanager
def unix_listener():
    """A named Unix socket any user id may connect to, in a folder any user id may enter."""
    folder = Path(tempfile.mkdtemp(prefix="kit-listen-"))
    try:
        os.chmod(folder, 0o755)
        path = folder / "s"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(str(path))
            os.chmod(path, 0o777)
            server.listen(4)
            server.settimeout(1.0)
            yield str(path), server
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _reached(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except OSError:
        return False
    connection.close()
    return True


def test_seccomp_alone_keeps_named_unix_sockets_out_of_reach(zygotes, tmp_path):
    """A Unix socket with a path is not a network-namespace object, and Landlock (ABI <= 7) does not
    check connect() on one: only the filter on new sockets stands between a worker and a host service."""
    on, off = zygotes(), zygotes("seccomp")
    with unix_listener() as (path, server):
        outcome = run_attack(on, tmp_path / "on", CONNECT, "AF_UNIX", path, "zz_kit_attack")
        assert outcome != "sent" and not _reached(server), f"the worker reached a Unix socket on the host ({outcome})"
        assert run_attack(off, tmp_path / "off", CONNECT, "AF_UNIX", path, "zz_kit_attack") == "sent"
        assert _reached(server)
    assert_layers(on, off, "seccomp")


# ipc namespace --------------------------------------------------------------------------------

IPC_CREAT, IPC_EXCL, IPC_RMID, SHM_RDONLY = 0o1000, 0o2000, 0, 0o10000

SHARED_MEMORY = """
    import ctypes

    def attack(key):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        libc.shmat.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
        segment = libc.shmget(key, 0, 0)
        if segment < 0:
            return None
        address = libc.shmat(segment, None, 0o10000)
        if address in (None, ctypes.c_void_p(-1).value):
            return None
        text = ctypes.string_at(address, 32).split(b"\\0")[0].decode()
        libc.shmdt(ctypes.c_void_p(address))
        return text
"""


def test_ipc_namespace_hides_the_hosts_shared_memory(zygotes, tmp_path):
    """System V IPC is outside Landlock's reach and a 0666 segment is open to any user id."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    libc.shmat.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
    libc.shmdt.argtypes = (ctypes.c_void_p,)
    token = uuid.uuid4().hex[:16]
    key = int(token[:7], 16) | 0x10000000
    segment = libc.shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0o666)
    assert segment >= 0, os.strerror(ctypes.get_errno())
    try:
        address = libc.shmat(segment, None, 0)
        ctypes.memmove(address, token.encode() + b"\0", len(token) + 1)
        libc.shmdt(address)
        on, off = zygotes(), zygotes("ipc-namespace")
        assert run_attack(on, tmp_path / "on", SHARED_MEMORY, key) is None
        assert run_attack(off, tmp_path / "off", SHARED_MEMORY, key) == token
        assert_layers(on, off, "ipc-namespace")
    finally:
        libc.shmctl(segment, IPC_RMID, None)


# unprivileged ---------------------------------------------------------------------------------

IDENTITY = """
    import ctypes
    import os

    def attack():
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = (ctypes.c_uint32 * 6)()
        ctypes.CDLL(None).capget(header, data)
        effective, permitted = data[0] | data[3] << 32, data[1] | data[4] << 32
        return {"euid": os.geteuid(), "uid": os.getuid(), "CapEff": effective, "CapPrm": permitted}
"""


@pytest.mark.skipif(not IS_ROOT, reason="the privilege drop is for a grader started as root (CI, containers)")
def test_unprivileged_turns_root_into_nobody(zygotes, tmp_path):
    on, off = zygotes(), zygotes("unprivileged")
    held = run_attack(on, tmp_path / "on", IDENTITY)
    assert held["euid"] != 0 and held["uid"] != 0, held
    assert held["CapEff"] == held["CapPrm"] == 0, held
    escaped = run_attack(off, tmp_path / "off", IDENTITY)
    assert escaped["euid"] == 0, escaped
    assert_layers(on, off, "unprivileged")


# resource limits (and cgroup) -----------------------------------------------------------------

BIG_FILE = """
    import os
    import tempfile

    def attack(wanted):
        path = os.path.join(tempfile.gettempdir(), "zz_kit_attack_big")
        written, chunk = 0, bytes(1024 ** 2)
        try:
            with open(path, "wb") as handle:
                while written < wanted:
                    handle.write(chunk)
                    handle.flush()
                    written += len(chunk)
        except OSError:
            pass
        finally:
            try:
                os.remove(path)
            except OSError:
                pass
        return written
"""


def test_resource_limits_cap_file_size(zygotes, tmp_path):
    wanted = 100 * 1024**2
    on, off = zygotes(), zygotes("resource-limits")
    assert run_attack(on, tmp_path / "on", BIG_FILE, wanted) < wanted
    assert run_attack(off, tmp_path / "off", BIG_FILE, wanted) == wanted
    assert_layers(on, off, "resource-limits")


OPEN_FILES = """
    import os

    def attack(wanted):
        fds = []
        try:
            while len(fds) < wanted:
                fds.extend(os.pipe())
        except OSError:
            pass
        for fd in fds:
            os.close(fd)
        return len(fds)
"""


def test_resource_limits_cap_open_files(zygotes, tmp_path):
    wanted = 4000
    if os.sysconf("SC_OPEN_MAX") < wanted + 100:
        pytest.skip("this machine's own open-file limit is below what the attack needs")
    on, off = zygotes(), zygotes("resource-limits")
    assert run_attack(on, tmp_path / "on", OPEN_FILES, wanted) < wanted
    assert run_attack(off, tmp_path / "off", OPEN_FILES, wanted) == wanted
    assert_layers(on, off, "resource-limits")


MANY_PROCESSES = """
    import ctypes
    import os
    import posix
    import signal
    import time

    def attack(wanted, token):
        started, pids = time.time(), []
        while len(pids) < wanted and time.time() - started < 10:
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                try:
                    ctypes.CDLL(None).prctl(15, ("zk" + token[:8]).encode(), 0, 0, 0)
                    while time.time() - started < 10:
                        time.sleep(0.2)
                finally:
                    posix._exit(0)
            pids.append(pid)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        return len(pids)
"""


def test_process_count_is_capped(zygotes, tmp_path):
    """RLIMIT_NPROC (for the worker's own user id) and the cgroup's pids.max both cap it."""
    wanted = 150
    on, off = zygotes(), zygotes("resource-limits", "cgroup")
    token = uuid.uuid4().hex
    try:
        assert run_attack(on, tmp_path / "on", MANY_PROCESSES, wanted, token) < wanted
        assert run_attack(off, tmp_path / "off", MANY_PROCESSES, wanted, token) == wanted
        assert_layers(on, off, "resource-limits")
    finally:
        kill_named(token)


MEMORY_TREE = """
    import ctypes
    import mmap
    import os
    import posix
    import resource
    import select
    import signal
    import time

    def _headroom(step=64 * 1024**2, most=4 * 1024**3):
        # the largest mapping this process may still make (address space only: nothing is touched)
        size = most
        while size > step:
            try:
                mmap.mmap(-1, size).close()
                return size
            except (OSError, ValueError):
                size -= step
        return 0

    def attack(children, each, token):
        if resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY:
            each = min(each, _headroom() // 2)  # the per-process cap as it is now: a child must fit under it
        read_end, write_end = os.pipe()
        pids = []
        for _ in range(children):
            pid = os.fork()
            if pid == 0:
                try:
                    os.close(read_end)
                    ctypes.CDLL(None).prctl(15, ("zk" + token[:8]).encode(), 0, 0, 0)
                    hoard = b"\\1" * each
                    os.write(write_end, b"1")
                    while hoard:
                        time.sleep(0.2)
                finally:
                    posix._exit(0)
            pids.append(pid)
        os.close(write_end)
        filled, dead, deadline = 0, set(), time.monotonic() + 30
        while filled + len(dead) < children and time.monotonic() < deadline:
            ready, _, _ = select.select([read_end], [], [], 0.1)
            if ready:
                data = os.read(read_end, 64)
                if not data:
                    break
                filled += len(data)
            dead |= {pid for pid in pids if pid not in dead and os.waitpid(pid, os.WNOHANG) != (0, 0)}
        time.sleep(0.5)  # an OOM kill lands on a child that already reported as well as on the allocating one
        dead |= {pid for pid in pids if pid not in dead and os.waitpid(pid, os.WNOHANG) != (0, 0)}
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass
        return {"held": min(filled, children - len(dead)), "each": each}  # children holding memory at once
"""


@pytest.mark.skipif(not IS_ROOT, reason="the cgroup layer needs root (cgroup v1 here)")
def test_cgroup_caps_memory_of_the_whole_tree(zygotes, tmp_path):
    """Four children of up to 640 MB each stay under the per-process address-space limit, not under the tree's.

    Each child's share is sized from the address-space headroom the worker really has when the
    attack runs (it varies with the threads and arenas the interpreter made), and the attack waits
    until every child has reported or died, so a slow machine only makes it slower. Counted is how
    many hold their memory at once: the OOM killer may pick a child that already reported.
    """
    children, each = 4, 640 * 1024**2
    on, off = zygotes(), zygotes("cgroup")
    token = uuid.uuid4().hex
    try:
        try:
            held = run_attack(on, tmp_path / "on", MEMORY_TREE, children, each, token)
        except LearnerError:  # the cgroup's OOM killer chose the worker itself: held too
            held = {"held": 0, "each": each}
        escaped = run_attack(off, tmp_path / "off", MEMORY_TREE, children, each, token)
        assert_layers(on, off, "cgroup")
        assert children * held["each"] > MEMORY_LIMIT, held  # together they ask for more than the tree may have
        assert held["held"] < children, held
        assert escaped["held"] == children, escaped
    finally:
        kill_named(token)


# private temporary folder ---------------------------------------------------------------------

SCRATCH = """
    import os

    def attack():
        found = {"cwd": os.getcwd(), "TMPDIR": os.environ.get("TMPDIR"), "wrote": None}
        try:
            import tempfile
            with tempfile.NamedTemporaryFile(delete=False) as handle:
                handle.write(b"zz_kit_attack")
            found["wrote"] = handle.name
        except OSError:
            pass
        return found
"""


def test_private_tmp_is_the_workers_own_and_goes_away(zygotes, tmp_path):
    on, off = zygotes(), zygotes("private-tmp")
    with learner(on, tmp_path / "on", SCRATCH) as module:
        held = module.call("attack").value
        _LAST_LAYERS[on] = set(module.layers)
        scratch = held["cwd"]
        assert held["TMPDIR"] == scratch and scratch not in ("/", "/tmp", tempfile.gettempdir(), os.getcwd()), held
        assert held["wrote"] is not None and os.path.dirname(held["wrote"]) == scratch, held
        assert os.path.isdir(scratch)
    deadline = time.monotonic() + 5
    while os.path.exists(scratch) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(scratch), "the worker's scratch folder outlived the worker"
    shared = run_attack(off, tmp_path / "off", SCRATCH)
    assert shared["TMPDIR"] != shared["cwd"] or shared["cwd"] in ("/", "/tmp"), shared
    assert_layers(on, off, "private-tmp")


def test_every_layer_is_active_here(zygotes):
    """Linux with Landlock and namespaces: every layer holds (cgroup needs root)."""
    expected = set(LAYERS) if IS_ROOT else set(LAYERS) - {"cgroup"}
    assert expected <= set(zygotes().layers()), zygotes().layers()
