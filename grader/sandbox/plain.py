"""A small binary format for plain data and tensors, decoded with hard limits and no pickle.

Everything a worker (or the zygote) sends the trusted side goes through `loads`: it knows only
None, bool, int, float, str, list, tuple, dict with str keys and dense CPU tensors; it checks
depth, item counts, string and tensor sizes before allocating, so a hand-built reply can't make
the trusted process run long, recurse deeply or allocate more than the frame it already holds.
"""

from __future__ import annotations

import struct
import sys
from array import array
from typing import Any

import torch

MAX_DEPTH = 32
MAX_ITEMS = 2_000_000
MAX_TENSOR_ELEMENTS = 4_000_000
MAX_INT_DIGITS = 400

_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32,
           torch.int16, torch.int8, torch.uint8, torch.bool, torch.complex64, torch.complex128)
_DTYPE_CODE = {dtype: code for code, dtype in enumerate(_DTYPES)}
_U32 = struct.Struct("<I")
_I64 = struct.Struct("<q")
_F64 = struct.Struct("<d")
_U64 = struct.Struct("<Q")
SCALARS = frozenset({type(None), bool, int, float, str})
FLOAT_RUN = 16  # a list or tuple of at least this many floats travels as one packed block
_SWAP = sys.byteorder == "big"  # read once: packed floats are little-endian like every other number here


def scalars_only(items: list | tuple) -> bool:
    """Every item is None, a bool, int, float or str of exactly that type (one C-level pass)."""
    return set(map(type, items)) <= SCALARS


class FormatError(ValueError):
    """The bytes are not a well-formed, within-limits message."""


def dumps(value: Any) -> bytes:
    """Serialise plain data (raises FormatError for anything else)."""
    out = bytearray()
    _write(value, out, 0)
    return bytes(out)


def _write(value: Any, out: bytearray, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise FormatError("nested too deeply")
    if value is None:
        out += b"N"
    elif value is True:
        out += b"T"
    elif value is False:
        out += b"F"
    elif type(value) is int:
        if -(1 << 63) <= value < (1 << 63):
            out += b"i" + _I64.pack(value)
        else:
            _write_text(b"I", str(value), out)
    elif type(value) is float:
        out += b"f" + _F64.pack(value)
    elif type(value) is str:
        _write_text(b"s", value, out)
    elif type(value) in (list, tuple) and len(value) >= FLOAT_RUN and set(map(type, value)) == {float}:
        if depth + 1 > MAX_DEPTH:
            raise FormatError("nested too deeply")
        floats = array("d", value)  # a loss curve: 8 bytes a value, no per-item tag or walk
        if _SWAP:
            floats.byteswap()
        out += (b"D" if type(value) is list else b"E") + _U32.pack(len(value)) + floats.tobytes()
    elif type(value) in (list, tuple):
        out += (b"l" if type(value) is list else b"t") + _U32.pack(len(value))
        for item in value:
            _write(item, out, depth + 1)
    elif type(value) is dict:
        out += b"d" + _U32.pack(len(value))
        for key, item in value.items():
            if type(key) is not str:
                raise FormatError("dict keys must be str")
            _write_text(b"s", key, out)
            _write(item, out, depth + 1)
    elif type(value) is torch.Tensor:
        _write_tensor(value, out)
    else:
        raise FormatError(f"{type(value).__name__} is not plain data")


def _write_text(tag: bytes, text: str, out: bytearray) -> None:
    data = text.encode("utf-8", "surrogatepass")
    out += tag + _U32.pack(len(data)) + data


def _write_tensor(tensor: torch.Tensor, out: bytearray) -> None:
    if tensor.dtype not in _DTYPE_CODE:
        tensor = tensor.to(torch.float64)
    tensor = tensor.detach().resolve_conj().resolve_neg().cpu().contiguous()
    if tensor.dim() > 16:
        raise FormatError("a tensor with more than 16 dimensions")
    raw = tensor.reshape(-1).view(torch.uint8).numpy().tobytes() if tensor.numel() else b""
    out += b"X" + bytes((_DTYPE_CODE[tensor.dtype], tensor.dim()))
    for size in tensor.shape:
        out += _U64.pack(size)
    out += _U64.pack(len(raw)) + raw


def loads(payload: bytes) -> Any:
    """Decode one message; FormatError if it is malformed, trailing or over a limit."""
    reader = _Reader(memoryview(payload))
    value = reader.value(0)
    if reader.pos != len(payload):
        raise FormatError("trailing bytes")
    return value


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0
        self.items = 0

    def take(self, size: int) -> memoryview:
        end = self.pos + size
        if size < 0 or end > len(self.data):
            raise FormatError("truncated")
        chunk = self.data[self.pos:end]
        self.pos = end
        return chunk

    def count(self, n: int) -> int:
        self.items += n
        if self.items > MAX_ITEMS:
            raise FormatError("too many items")
        if n > len(self.data) - self.pos:  # every item takes at least one byte
            raise FormatError("truncated")
        return n

    def text(self) -> str:
        (size,) = _U32.unpack(self.take(4))
        return bytes(self.take(size)).decode("utf-8", "surrogatepass")

    def value(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise FormatError("nested too deeply")
        tag = bytes(self.take(1))
        if tag == b"N":
            return None
        if tag == b"T":
            return True
        if tag == b"F":
            return False
        if tag == b"i":
            return _I64.unpack(self.take(8))[0]
        if tag == b"I":
            digits = self.text()
            if len(digits) > MAX_INT_DIGITS:
                raise FormatError("an integer too large")
            try:
                return int(digits)
            except ValueError as exc:
                raise FormatError("malformed integer") from exc
        if tag == b"f":
            return _F64.unpack(self.take(8))[0]
        if tag == b"s":
            return self.text()
        if tag in (b"D", b"E"):
            n = self.count(_U32.unpack(self.take(4))[0])
            if n and depth + 1 > MAX_DEPTH:
                raise FormatError("nested too deeply")
            floats = array("d")
            floats.frombytes(self.take(8 * n))
            if _SWAP:
                floats.byteswap()
            items = floats.tolist()
            return items if tag == b"D" else tuple(items)
        if tag in (b"l", b"t"):
            n = self.count(_U32.unpack(self.take(4))[0])
            items = [self.value(depth + 1) for _ in range(n)]
            return items if tag == b"l" else tuple(items)
        if tag == b"d":
            n = self.count(_U32.unpack(self.take(4))[0])
            result = {}
            for _ in range(n):
                if bytes(self.take(1)) != b"s":
                    raise FormatError("dict keys must be str")
                key = self.text()
                result[key] = self.value(depth + 1)
            return result
        if tag == b"X":
            return self.tensor()
        raise FormatError(f"unknown tag {tag!r}")

    def tensor(self) -> torch.Tensor:
        code, ndim = bytes(self.take(2))
        if code >= len(_DTYPES) or ndim > 16:
            raise FormatError("malformed tensor header")
        dtype = _DTYPES[code]
        shape = [_U64.unpack(self.take(8))[0] for _ in range(ndim)]
        numel = 1
        for size in shape:
            numel *= size
            if numel > MAX_TENSOR_ELEMENTS:
                raise FormatError("a tensor too large to check")
        (nbytes,) = _U64.unpack(self.take(8))
        itemsize = torch.empty((), dtype=dtype).element_size()
        if nbytes != numel * itemsize:
            raise FormatError("tensor size does not match its shape")
        raw = self.take(nbytes)
        if numel == 0:
            return torch.empty(shape, dtype=dtype)
        flat = torch.frombuffer(bytearray(raw), dtype=torch.uint8)
        return flat.view(dtype).reshape(shape)
