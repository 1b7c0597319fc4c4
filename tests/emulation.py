"""An interpreter that lacks what macOS or Windows lack, for running `grade` as a learner there would.

`emulated_python(folder, platform)` makes a virtual environment whose site-packages holds the
test interpreter's packages (the kit, torch) and a sitecustomize.py that takes away, before any
of the kit is imported:

- macos: SOCK_SEQPACKET socketpairs (refused with EPROTONOSUPPORT, as macOS does), memfd_create,
  /proc (only psutil may read it: psutil has its own sources on a real Mac), Landlock and seccomp
  (switched off: a Mac kernel has neither);
- windows: all of that, and os.fork, socket.AF_UNIX and fd passing, the resource, fcntl,
  termios and tty modules. psutil, standing in for the platform's own sources (sysctl,
  Windows APIs), is imported before anything is taken away, and may read /proc.

Workers started by the kit with `sys.executable -I` are the same emulated interpreter (site-packages
and sitecustomize still load under -I), so the emulation holds on both sides of the boundary.
The kernel underneath is still Linux: this proves the kit needs none of these, not that it runs
on the real platforms (the CI workflow's matrix is for that).
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

PLATFORMS = ("macos", "windows")

SITECUSTOMIZE = r'''
"""Take away what {platform} lacks (tests/emulation.py)."""
import builtins
import errno
import os
import socket
import sys

PLATFORM = {platform!r}
try:
    import psutil  # noqa: F401 - stands in for the platform's own sources: loaded before anything is taken away
except ImportError:
    pass
_real_socketpair = socket.socketpair


def socketpair(family=None, type=socket.SOCK_STREAM, proto=0):
    if type == getattr(socket, "SOCK_SEQPACKET", object()) or PLATFORM == "windows" and family == getattr(socket, "AF_UNIX", None):
        raise OSError(errno.EPROTONOSUPPORT, "Protocol not supported")
    if family is None:
        family = socket.AF_INET if PLATFORM == "windows" else socket.AF_UNIX
    return _real_socketpair(family, type, proto)


socket.socketpair = socketpair
for name in ("memfd_create",):
    if hasattr(os, name):
        delattr(os, name)


def _from_psutil(depth: int = 6) -> bool:
    """psutil stands in for the platform's own sources (sysctl, Windows APIs): it may use Linux's."""
    frame = sys._getframe(2)
    for _ in range(depth):
        if frame is None:
            return False
        if str(frame.f_globals.get("__name__", "")).startswith("psutil"):
            return True
        frame = frame.f_back
    return False


def _refuse_proc(path) -> bool:
    try:
        text = os.fsdecode(path) if not isinstance(path, int) else ""
    except TypeError:
        return False
    return (text == "/proc" or text.startswith("/proc/")) and not _from_psutil()


_real_open, _real_os_open = builtins.open, os.open


def _open(file, *args, **kwargs):
    if _refuse_proc(file):
        raise FileNotFoundError(errno.ENOENT, "No such file or directory (emulated {platform})", file)
    return _real_open(file, *args, **kwargs)


def _os_open(path, *args, **kwargs):
    if _refuse_proc(path):
        raise FileNotFoundError(errno.ENOENT, "No such file or directory (emulated {platform})", path)
    return _real_os_open(path, *args, **kwargs)


builtins.open = _open
os.open = _os_open
import io
io.open = _open

if PLATFORM == "windows":
    for name in ("fork", "forkpty"):  # register_at_fork stays: torch calls it unless sys.platform is win32
        if hasattr(os, name):
            delattr(os, name)
    for name in ("AF_UNIX", "send_fds", "recv_fds", "sendmsg", "recvmsg"):
        if hasattr(socket, name):
            delattr(socket, name)
    _GONE = {{"resource", "fcntl", "termios", "tty"}}

    class _Missing:
        """An import finder that says these modules do not exist here."""

        def find_spec(self, fullname, path=None, target=None):
            if fullname in _GONE:
                raise ModuleNotFoundError(f"No module named {{fullname!r}}", name=fullname)
            return None

    for name in _GONE:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, _Missing())

os.environ["GRADE_CONFINEMENT_OFF"] = ",".join(
    filter(None, [os.environ.get("GRADE_CONFINEMENT_OFF", ""), "landlock", "seccomp"]))  # no such kernel features
'''


def emulated_python(folder: Path, platform: str) -> Path:
    """The interpreter of a fresh virtual environment in `folder` that lacks what `platform` lacks."""
    assert platform in PLATFORMS, platform
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(folder)], check=True, capture_output=True)
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    packages = Path(subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                                   check=True, capture_output=True, text=True).stdout.strip())
    ours = [path for path in site.getsitepackages() if os.path.isdir(path)]
    (packages / "_kit_packages.pth").write_text(
        "".join(f"import site; site.addsitedir({path!r})\n" for path in ours), encoding="utf-8")
    (packages / "sitecustomize.py").write_text(SITECUSTOMIZE.format(platform=platform), encoding="utf-8")
    return python
