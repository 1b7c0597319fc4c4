"""Landlock through ctypes: an allow-list of file access, no TCP, no signals or abstract sockets out.

Landlock is unprivileged and stacks, so it works for a learner at home and as root in a
container alike. The rules are built from paths; everything not listed is denied by the kernel.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct

_SYSCALLS = {"x86_64": (444, 445, 446), "aarch64": (444, 445, 446)}

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

READ = EXECUTE | READ_FILE | READ_DIR
FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
_PR_SET_NO_NEW_PRIVS = 38


class LandlockUnavailable(OSError):
    """The kernel (or platform) has no usable Landlock."""


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """The kernel's Landlock ABI, or 0 when there is none."""
    numbers = _SYSCALLS.get(platform.machine())
    if numbers is None or not platform.system() == "Linux":
        return 0
    version = _libc().syscall(numbers[0], None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(version), 0)


def fs_rights(abi: int) -> int:
    """Every file-system right the kernel of this ABI can restrict."""
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def restrict(read_paths: list[str], write_paths: list[str], device_paths: list[str]) -> list[str]:
    """Confine this thread (and what it starts) for good; returns what was restricted.

    `read_paths` may be read and executed, `write_paths` fully used, `device_paths` (files
    such as /dev/null) read and written. Must run single-threaded, after no_new_privs.
    """
    abi = abi_version()
    if abi < 1:
        raise LandlockUnavailable("Landlock is not available on this system")
    create, add_rule, restrict_self = _SYSCALLS[platform.machine()]
    libc = _libc()
    handled_fs = fs_rights(abi)
    handled_net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    attr = struct.pack("<QQQ", handled_fs, handled_net, scoped)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    buffer = ctypes.create_string_buffer(attr[:size], size)
    ruleset = libc.syscall(create, buffer, ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise LandlockUnavailable(f"landlock_create_ruleset failed: {os.strerror(ctypes.get_errno())}")
    try:
        for paths, rights in ((read_paths, READ), (write_paths, handled_fs),
                              (device_paths, READ_FILE | WRITE_FILE)):
            for path in paths:
                _allow(libc, add_rule, ruleset, path, rights & handled_fs)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise LandlockUnavailable("no_new_privs could not be set")
        if libc.syscall(restrict_self, ruleset, ctypes.c_uint32(0)) != 0:
            raise LandlockUnavailable(f"landlock_restrict_self failed: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)
    restricted = ["files"]
    if handled_net:
        restricted.append("tcp")
    if scoped:
        restricted.append("signals")
    return restricted


def _allow(libc, add_rule: int, ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path that does not exist needs no rule
    try:
        if not os.path.isdir(path):
            rights &= FILE_ONLY
        rule = struct.pack("<Qi", rights, fd)
        if libc.syscall(add_rule, ruleset, ctypes.c_int(1), ctypes.c_char_p(rule), ctypes.c_uint32(0)) != 0:
            raise LandlockUnavailable(f"landlock_add_rule({path}) failed: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)
