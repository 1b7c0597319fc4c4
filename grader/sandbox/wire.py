"""Length-prefixed framing for the sockets between the grader, the zygote and the forked workers."""

from __future__ import annotations

import socket
import struct
import time

_HEADER = struct.Struct("!Q")
MAX_FRAME = 256 * 1024 * 1024


class ChannelClosed(Exception):
    """The other end went away before a whole frame arrived."""


def send_frame(sock: socket.socket, payload: bytes) -> None:
    """Send one frame: an 8-byte big-endian length, then the payload."""
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def _recv_exact(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        if deadline is not None:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
        chunk = sock.recv(min(size - len(chunks), 1 << 20))
        if not chunk:
            raise ChannelClosed()
        chunks += chunk
    return bytes(chunks)


def recv_frame(sock: socket.socket, limit: int = MAX_FRAME, deadline: float | None = None) -> bytes:
    """Receive one frame by `deadline` (time.monotonic), else socket.timeout; refuse frames over `limit`."""
    (size,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size, deadline))
    if size > limit:
        raise ChannelClosed(f"frame of {size} bytes is over the limit")
    return _recv_exact(sock, size, deadline)


class SocketChannel:
    """A stream socket seen as a message channel (`recv_bytes`/`send_bytes`, as multiprocessing's)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def recv_bytes(self) -> bytes:
        return recv_frame(self.sock)

    def send_bytes(self, payload: bytes) -> None:
        send_frame(self.sock, payload)
