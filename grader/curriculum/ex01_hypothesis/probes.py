"""The trusted probes of ex01_hypothesis: grader code run in the worker beside the learner's module, answering plain data."""

from __future__ import annotations

from typing import Any

import torch

from grader.probes import probe


@probe
def ex01_parameters_independent(module: Any) -> dict:
    """Are W and b two separate tensors, and does every call create new ones?

    Calls init_parameters() twice; between the calls the first W and b are changed in place,
    as training would, to see whether the second call still starts from zeros.
    """
    W, b = module.init_parameters()
    same_object = W is b
    shared_memory = W.data_ptr() == b.data_ptr()
    with torch.no_grad():
        W.add_(1.0)
        b.add_(2.0)
    W2, b2 = module.init_parameters()
    return {
        "same_object": bool(same_object),
        "shared_memory": bool(shared_memory),
        "reused": bool(W2 is W or W2 is b or b2 is W or b2 is b),
        "second_is_zero": bool(torch.count_nonzero(W2.detach()) == 0 and torch.count_nonzero(b2.detach()) == 0),
    }
