"""Make the warm zygote cheap to fork: every worker is two forks of it, eleven workers per student.

A fork copies one page-table entry per 4 KiB page of private memory the parent has touched, and
the exit of the child frees them again: with torch loaded that is ~150 MiB, ~10 ms of CPU per
fork on a virtual machine. Collapsing that memory into 2 MiB transparent huge pages
(`MADV_COLLAPSE`, Linux 6.1+) leaves one entry per 2 MiB, and a worker that writes to a huge page
gets a private copy of just the 4 KiB it wrote. Freezing the garbage collector's generations keeps
a worker's collections from walking, and so copying, every object the zygote made.

Both are optimisations only: where the kernel or the platform says no, forks cost what they did.
"""

from __future__ import annotations

import ctypes
import gc
import sys

from grader.sandbox.confine import _libc

MADV_HUGEPAGE = 14
MADV_COLLAPSE = 25
HUGE_PAGE = 2 * 1024 * 1024


def _writable_private_ranges() -> list[tuple[int, int]]:
    """Huge-page-aligned parts of the private writable mappings (heap, anonymous, relocated data)."""
    ranges = []
    with open("/proc/self/maps") as handle:
        for line in handle:
            fields = line.split()
            if len(fields) < 2 or "w" not in fields[1] or "p" not in fields[1]:
                continue
            if len(fields) >= 6 and fields[5].startswith("[") and fields[5] not in ("[heap]",):
                continue  # [stack], [vvar], [vdso]: the kernel's own or growing
            low, high = (int(value, 16) for value in fields[0].split("-"))
            low = (low + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)
            high &= ~(HUGE_PAGE - 1)
            if high > low:
                ranges.append((low, high))
    return ranges


def collapse_into_huge_pages() -> int:
    """Ask the kernel to back the private writable memory with huge pages now; the bytes it took."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        madvise = _libc().madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        madvise.restype = ctypes.c_int
        ranges = _writable_private_ranges()
    except (OSError, AttributeError, ValueError):
        return 0
    collapsed = 0
    for low, high in ranges:
        madvise(low, high - low, MADV_HUGEPAGE)  # lets the collapse and later faults use huge pages
        if madvise(low, high - low, MADV_COLLAPSE) == 0:
            collapsed += high - low
    return collapsed


def prepare_for_forking() -> None:
    """Called once in the zygote after its warm-up, before it serves a fork."""
    gc.collect()
    gc.freeze()
    collapse_into_huge_pages()
