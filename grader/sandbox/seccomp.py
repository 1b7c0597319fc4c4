"""A seccomp filter that takes away new sockets (and io_uring, which could make them).

The worker needs no socket of its own: its channel to the grader is inherited. A new socket
could still reach a Unix socket with a path on the host (a session bus, a display server),
which neither the network namespace nor Landlock (through ABI 7) covers. socketpair() stays.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

_ARCH = {"x86_64": (0xC000003E, 41, 425, True), "aarch64": (0xC00000B7, 198, 425, False)}
_LD_ABS_W, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2


class SeccompUnavailable(OSError):
    """No seccomp filter could be installed here."""


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k)


def program(machine: str) -> bytes:
    """The BPF program: wrong architecture, x32 calls, socket() and io_uring_setup() fail with EACCES."""
    arch, socket_nr, io_uring_nr, has_x32 = _ARCH[machine]
    deny = _ERRNO | errno.EACCES
    insns = [
        _insn(_LD_ABS_W, 0, 0, 4),                 # 0: A = arch
        _insn(_JEQ_K, 0, 5, arch),                 # 1: arch ok? else deny (7)
        _insn(_LD_ABS_W, 0, 0, 0),                 # 2: A = syscall number
        _insn(_JGE_K, 3, 0, 0x40000000 if has_x32 else 0xFFFFFFFF),  # 3: x32 ABI -> deny
        _insn(_JEQ_K, 2, 0, socket_nr),            # 4: socket() -> deny
        _insn(_JEQ_K, 1, 0, io_uring_nr),          # 5: io_uring_setup() -> deny
        _insn(_RET_K, 0, 0, _ALLOW),               # 6
        _insn(_RET_K, 0, 0, deny),                 # 7
    ]
    return b"".join(insns)


def forbid_new_sockets() -> None:
    """Install the filter on this thread and its future children (no_new_privs must be set)."""
    machine = platform.machine()
    if machine not in _ARCH:
        raise SeccompUnavailable(f"no seccomp program for {machine}")
    code = program(machine)
    filters = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("<HxxxxxxQ", len(code) // 8, ctypes.addressof(filters))
    buffer = ctypes.create_string_buffer(fprog, len(fprog))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS: required without CAP_SYS_ADMIN
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, buffer, 0, 0) != 0:
        raise SeccompUnavailable(f"seccomp filter refused: errno {ctypes.get_errno()}")
