"""The warm zygote: a fresh interpreter that imports and warms torch once, then forks workers.

Started isolated (`python -I`: no current folder, user site or PYTHON* variables on its
path) before the grader imports torch itself, so the two imports overlap on two cores. It runs only tiny tensor ops on one thread, so its forked
children never inherit a busy OpenMP pool (a forked child of a process that ran a parallel op
hangs at its first parallel op).
"""

from __future__ import annotations

import json
import os
import pickle
import select
import signal
import socket
import sys


def warm_up() -> None:
    """Pay torch's lazy imports once (autograd, optim's dynamo import, nn, data, save/load)."""
    import io

    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    import grader.data  # noqa: F401 - exercises read their data sets through it
    import grader.probes  # noqa: F401 - probes run in workers
    from grader.sandbox import confine, landlock, seccomp, worker  # noqa: F401 - workers can't read the kit later
    from grader.sandbox import codec
    from grader.sandbox.monitor import CallRecorder

    torch.set_num_threads(1)
    x = torch.randn(8, 4)
    y = torch.randint(0, 3, (8,))
    model = nn.Sequential(nn.Linear(4, 3))
    for optimizer in (torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                      torch.optim.Adam(model.parameters(), lr=0.01)):
        for batch_x, batch_y in DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True,
                                           generator=torch.Generator().manual_seed(0)):
            with CallRecorder():
                optimizer.zero_grad()
                loss = nn.CrossEntropyLoss()(model(batch_x), batch_y)
                loss.backward()
                optimizer.step()
    p = torch.rand(4, 1)
    nn.BCELoss()(p, torch.ones(4, 1))
    nn.MSELoss()(p, torch.zeros(4, 1))
    torch.sigmoid(p)
    torch.softmax(p, dim=0)
    codec.loads(codec.dumps(codec.encode({"m": model, "t": (p, 1.0)})))
    buffer = io.BytesIO()
    torch.save(p, buffer)
    import numpy  # noqa: F401


_hard_exit = os._exit  # saved: workers replace os._exit to report learner calls to it
_baseline = None  # the integrity snapshot every worker starts from (here: storing it changes nothing it watches)


def _read_source(path: str) -> bytes | None:
    """The learner's module, read before confinement (the worker itself may not read its folder)."""
    from grader.sandbox import sources

    return sources.read_source(path)


def serve(control: socket.socket, readable: list[str]) -> None:
    """Fork one confined worker per request; requests carry the worker's socket as a passed fd."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    zygote = os.getpid()
    while True:
        try:
            message, fds, _flags, _addr = socket.recv_fds(control, 65536, 1)
        except OSError:
            os._exit(0)
        if not message:
            os._exit(0)
        request = pickle.loads(message)  # from the trusted side, the only peer of this socket
        report_r, report_w = os.pipe()
        if os.fork() == 0:
            os.close(report_r)
            control.close()
            try:
                _outer(request, fds[0], report_w, readable, zygote)
            finally:
                _hard_exit(70)  # a worker must never fall back into the zygote's loop
        os.close(report_w)
        for fd in fds:
            os.close(fd)
        control.send(_read_report(report_r))


def _read_report(fd: int) -> bytes:
    """The outer process's one-line JSON report (worker pid, layers, CPU clock), bounded."""
    chunks = b""
    try:
        while len(chunks) < 65536:
            ready, _, _ = select.select([fd], [], [], 60.0)
            if not ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks += chunk
    finally:
        os.close(fd)
    return chunks or json.dumps({"error": "the worker did not start"}).encode()


def _outer(request: dict, channel_fd: int, report_fd: int, readable: list[str], zygote: int) -> None:
    """The outer process: set up, fork the confined inner worker, wait for it, clean up."""
    from grader.sandbox import confine, sources, worker
    from grader.sandbox.wire import SocketChannel

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    plan: confine.Plan = request["plan"]
    source = _read_source(request["path"])
    siblings = sources.read_siblings(request["path"])  # the learner's other modules: importable, never read by the worker
    outer = confine.prepare_outer(plan, readable)
    layers_r, layers_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(layers_r)
        os.close(report_fd)
        layers = confine.confine_inner(plan, outer, (channel_fd, layers_w), readable)
        os.write(layers_w, json.dumps(layers).encode())
        os.close(layers_w)
        snapshot = _baseline
        globals()["_baseline"] = None  # the worker holds it in its serving frame only
        worker.serve(SocketChannel(socket.socket(fileno=channel_fd)), request["path"], request["name"], source, snapshot,
                     siblings)
        return
    os.close(layers_w)
    os.close(channel_fd)

    def zygote_gone(_signum, _frame):  # the zygote died: end the worker, then still clean up
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
        confine.cleanup_outer(outer)
        _hard_exit(0)

    signal.signal(signal.SIGTERM, zygote_gone)
    confine.die_with_parent(signal.SIGTERM)
    if os.getppid() != zygote:  # it died before the signal was armed
        zygote_gone(None, None)
    layers_json = b""
    while chunk := os.read(layers_r, 4096):
        layers_json += chunk
    os.close(layers_r)
    try:
        layers = json.loads(layers_json or b"[]")
    except ValueError:
        layers = []
    os.write(report_fd, json.dumps({"pid": pid, "layers": layers, "cpu_file": outer.cpu_file}).encode())
    os.close(report_fd)
    while True:
        try:
            os.waitpid(pid, 0)
            break
        except ChildProcessError:
            break
        except InterruptedError:
            continue
    confine.cleanup_outer(outer)
    _hard_exit(0)


def main() -> None:
    global _baseline
    worker_fd = int(sys.argv[1])
    from grader.catalog import kit, metadata
    from grader.grading import startup
    from grader.sandbox import confine, forkcost

    confine.make_undumpable()
    confine.die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    confine.sweep_cgroups()
    confine.isolate_zygote_network()
    control = socket.socket(fileno=worker_fd)
    with startup.uncollected():
        warm_up()
        from grader.sandbox import worker  # imported by the warm-up

        _baseline = worker.take_snapshot()
    readable = confine.readable_paths(confine.hidden_paths(*metadata.hidden_folders()),
                                      shared=(str(kit.GRADER_DIR / "data"),))
    forkcost.prepare_for_forking()
    control.send(b"ready")
    serve(control, readable)


if __name__ == "__main__":
    main()
