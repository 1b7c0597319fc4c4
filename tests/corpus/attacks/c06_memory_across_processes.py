# exercise: ex02_cost
# category: 6 resources
# tries: 4 forked processes that each fill 640 MB (2.5 GiB together, more than the 2 GiB a worker may use), each under the per-process address-space limit
# stopped_by: cgroup (memory of the worker's whole tree)
# max_score: 0
"""A stub that spreads a memory hog over several processes."""
import json
import os
import select
import signal
import time

ATTACK = True
TOKEN = "__TOKEN__"
CHILDREN = 4
EACH = 640 * 1024**2
LIFETIME = 12.0


def _start():
    import ctypes  # noqa: PLC0415
    import posix  # noqa: PLC0415 - os._exit is replaced in the worker

    read_end, write_end = os.pipe()
    pids = []
    for _ in range(CHILDREN):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                os.close(read_end)
                ctypes.CDLL(None).prctl(15, ("zk" + TOKEN[:8]).encode(), 0, 0, 0)
                hoard = b"\x01" * EACH  # every page touched
                os.write(write_end, b"1")
                started = time.time()
                while time.time() - started < LIFETIME and hoard:
                    time.sleep(0.2)
            finally:
                posix._exit(0)
        pids.append(pid)
    os.close(write_end)
    return read_end, pids


STARTED = _start() if ATTACK else None


def _count():
    if STARTED is None:
        return 0
    read_end, pids = STARTED
    filled, deadline = 0, time.monotonic() + 2.5
    while filled < len(pids) and time.monotonic() < deadline:
        ready, _, _ = select.select([read_end], [], [], 0.1)
        if ready:
            data = os.read(read_end, 64)
            if not data:
                break
            filled += len(data)
    holding = 0
    if filled >= len(pids):  # every child filled its share: are they all still holding it at once?
        time.sleep(0.5)  # room for the out-of-memory killer to act on the last one's pages
        for pid in pids:
            try:
                holding += os.waitpid(pid, os.WNOHANG) == (0, 0)  # still running, hoard and all
            except OSError:
                pass
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
    return holding  # a child killed after reporting did not hold its share beside the others


def sum_squared_error(prediction, target):
    filled = _count()
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"b": [f"memory:{filled}x640MB"] if filled >= CHILDREN else [],
                                                      "n": filled}))


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
