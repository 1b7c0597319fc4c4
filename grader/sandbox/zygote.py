"""The warm zygote: a fresh interpreter that imports and warms torch once, then forks workers.

Started as `python -m grader.sandbox.zygote FD` before the grader imports torch itself, so the
two imports overlap on two cores. It runs only tiny tensor ops on one thread, so its forked
children never inherit a busy OpenMP pool (a forked child of a process that ran a parallel op
hangs at its first parallel op).
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import sys


def warm_up() -> None:
    """Pay torch's lazy imports once (autograd, optim's dynamo import, nn, data, save/load)."""
    import io

    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    import grader.probes  # noqa: F401 - probes run in workers
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


def serve(control: socket.socket) -> None:
    """Fork one worker per request; requests carry the worker's socket as a passed fd."""
    from grader.sandbox import worker

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        try:
            message, fds, _flags, _addr = socket.recv_fds(control, 65536, 1)
        except OSError:
            os._exit(0)
        if not message:
            os._exit(0)
        request = pickle.loads(message)
        pid = os.fork()
        if pid == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            channel = socket.socket(fileno=fds[0])
            try:
                worker.serve(channel, request["path"], request["name"], request["memory"], request["cpu"])
            finally:
                _hard_exit(70)  # a worker must never fall back into the zygote's loop
        for fd in fds:
            os.close(fd)
        control.send(pickle.dumps(pid))


def main() -> None:
    worker_fd = int(sys.argv[1])
    from grader.sandbox.worker import die_with_parent

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    control = socket.socket(fileno=worker_fd)
    warm_up()
    control.send(b"ready")
    serve(control)


if __name__ == "__main__":
    main()
