"""The trusted side's requests to a worker, pickled with plain tensors sent as their raw bytes.

torch's own tensor reducer goes through `torch.save` for every tensor (~100 µs to pickle and
unpickle a small one; a student's grading sends about a thousand). A plain, contiguous CPU tensor
is sent as (bytes, dtype, shape, requires_grad) instead. Anything else — a subclass (Parameter),
a view, two tensors sharing memory, strides that are not the default, a tensor carrying
attributes — makes the whole request go through torch's reducer, byte for byte as before.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import torch

_DTYPES = {str(dtype): dtype for dtype in (
    torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.int16,
    torch.int8, torch.uint8, torch.bool, torch.complex64, torch.complex128)}


class _NotPlain(Exception):
    """The request holds a tensor the fast path cannot send faithfully."""


def rebuild(data: bytes, dtype: str, shape: tuple, requires_grad: bool) -> torch.Tensor:
    """Worker side: the tensor back from its bytes (a fresh leaf owning resizable memory, not a view)."""
    tensor = torch.empty(shape, dtype=_DTYPES[dtype])
    if data:
        tensor.reshape(-1).view(torch.uint8).copy_(torch.frombuffer(bytearray(data), dtype=torch.uint8))
    return tensor.requires_grad_(True) if requires_grad else tensor


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.DEFAULT_PROTOCOL)
        self._storages: set[int] = set()

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is not torch.Tensor:
            return NotImplemented
        if (obj._base is not None or obj.layout != torch.strided or obj.device.type != "cpu"
                or not obj.is_contiguous() or obj.is_conj() or obj.is_neg()
                or obj.__dict__ or str(obj.dtype) not in _DTYPES or (obj.requires_grad and not obj.is_leaf)):
            raise _NotPlain()
        storage = obj.untyped_storage().data_ptr()
        if obj.numel() and storage in self._storages:
            raise _NotPlain()
        self._storages.add(storage)
        flat = obj.detach().reshape(-1)
        data = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
        return rebuild, (data, str(obj.dtype), tuple(obj.shape), obj.requires_grad)


def dumps(message: Any) -> bytes:
    """The request's pickle: the fast path for plain tensors, torch's reducer when any tensor needs it."""
    buffer = io.BytesIO()
    try:
        _Pickler(buffer).dump(message)
    except _NotPlain:
        return pickle.dumps(message)
    return buffer.getvalue()
