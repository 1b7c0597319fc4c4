# exercise: ex02_cost
# category: 9 trusted-side decoding
# tries: write a hand-built reply on the worker's socket whose value is a list nested 5,000 deep (the old trusted side raised RecursionError while decoding it: a grader error, not the learner's)
# stopped_by: the trusted side's bounded decoder (a depth limit checked while reading, before any recursion)
# max_score: 0
"""A stub whose reply is nested far deeper than the trusted side can recurse."""
import gc
import io
import socket
import struct
import zipfile

ATTACK = True
DEPTH = 5000


def _channel():
    for thing in gc.get_objects():
        if isinstance(thing, socket.socket) and thing.fileno() >= 0:
            try:
                if thing.family == socket.AF_UNIX and thing.type == socket.SOCK_STREAM:
                    return thing
            except OSError:
                pass
    return None


def _plain_reply():
    def text(value):
        data = value.encode()
        return b"s" + struct.pack("<I", len(data)) + data

    deep = (b"l" + struct.pack("<I", 1)) * DEPTH + b"N"
    fields = [("status", text("ok")), ("value", deep), ("args", b"l" + struct.pack("<I", 0)),
              ("kwargs", b"d" + struct.pack("<I", 0)), ("seconds", b"f" + struct.pack("<d", 0.0)),
              ("calls", b"l" + struct.pack("<I", 0)), ("output", text(""))]
    return b"d" + struct.pack("<I", len(fields)) + b"".join(text(k) + v for k, v in fields)


def _pickle_reply():
    import torch  # noqa: PLC0415

    def text(value):
        data = value.encode()
        return b"X" + struct.pack("<I", len(data)) + data

    deep = b"]" * DEPTH + b"a" * (DEPTH - 1)  # push DEPTH empty lists, then append each into the one below
    body = (b"\x80\x02}(" + text("status") + text("ok") + text("value") + deep + text("args") + b"]"
            + text("kwargs") + b"}" + text("seconds") + b"G" + struct.pack(">d", 0.0) + text("calls") + b"]"
            + text("output") + text("") + b"u.")
    template = io.BytesIO()
    torch.save({"status": "ok"}, template)
    old = zipfile.ZipFile(io.BytesIO(template.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as new:
        for name in old.namelist():
            new.writestr(name, body if name.endswith("/data.pkl") else old.read(name))
    return out.getvalue()


def _send():
    channel = _channel()
    if channel is None:
        return
    try:
        import grader.sandbox.plain  # noqa: F401, PLC0415

        payload = _plain_reply()
    except ImportError:
        payload = _pickle_reply()
    channel.sendall(struct.pack("!Q", len(payload)) + payload)
    import posix  # noqa: PLC0415

    posix._exit(0)


def sum_squared_error(prediction, target):
    if ATTACK:
        _send()
    raise NotImplementedError("ex02: sum_squared_error() is not implemented yet")


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
