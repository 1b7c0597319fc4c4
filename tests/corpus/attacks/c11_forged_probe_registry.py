# exercise: ex01_hypothesis
# category: 11 worker-side observations
# tries: W and b are the same tensor (a real mistake), and the module replaces the worker's probe registry entry that checks it with one reporting "independent parameters"
# stopped_by: the probe registry captured before the learner module loads (a swapped registry is detected as tampering), or the observation made in the trusted process
# max_score: 13
"""Shares one tensor between W and b, then forges the probe that would notice."""
import torch

ATTACK = True


def init_parameters():
    W = torch.zeros(1, requires_grad=True)
    return W, W


def hypothesis(x, W, b):
    return x * W + b


def _all_good(module, *args, **kwargs):
    return {"same_object": False, "shared_memory": False, "reused": False, "second_is_zero": True}


if ATTACK:
    import sys

    for name, loaded in list(sys.modules.items()):
        if name.startswith("grader.probes"):
            registry = getattr(loaded, "PROBES", None)
            if isinstance(registry, dict) and "ex01_parameters_independent" in registry:
                registry["ex01_parameters_independent"] = _all_good
            if hasattr(loaded, "ex01_parameters_independent"):
                loaded.ex01_parameters_independent = _all_good
