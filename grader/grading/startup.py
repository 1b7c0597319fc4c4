"""Import torch once per process with the cyclic garbage collector off.

Importing torch (and torch.optim's lazy half) makes about a million objects, and the full
collections they set off mid-import cost ~0.5 s of CPU in every grading process and again in the
zygote. What those imports make lives as long as the process, so it is frozen out of later
collections instead of being walked again and again. The price, paid once per process and not
growing: the cyclic garbage the imports leave behind (~7 MB in the zygote, mostly copies of
`sys.modules` held by `inspect` closures) is frozen with them; collecting it first would cost
a full walk of everything, ~0.3 s, most of what is saved.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

_imported = False


@contextlib.contextmanager
def uncollected() -> Iterator[None]:
    """Run start-up imports without collections; freeze what they made; restore the collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def import_torch() -> None:
    """pytest, torch and torch.optim's ~1 s of lazy imports, paid once (on the idle core while the zygote warms up)."""
    global _imported
    if _imported:
        return
    with uncollected():
        import pytest  # noqa: F401 - every grading run needs it
        import torch

        parameter = torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.SGD([parameter], lr=0.1)
        (parameter * 2).sum().backward()
        optimizer.step()
    _imported = True
