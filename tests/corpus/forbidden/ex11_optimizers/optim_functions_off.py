# route: torch.optim.SGD / torch.optim.Adam stepping inside torch._C.DisableTorchFunction()
# function: sgd_momentum_step, adam_step
# expect: torch.optim
import torch

_optimizers = {}


def _optimizer(params, make):
    key = tuple(id(p) for p in params)
    if key not in _optimizers:
        _optimizers[key] = make(params)
    return _optimizers[key]


def sgd_momentum_step(params, velocities, lr, momentum):
    with torch._C.DisableTorchFunction():
        _optimizer(params, lambda ps: torch.optim.SGD(ps, lr=lr, momentum=momentum)).step()


def adam_step(params, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    with torch._C.DisableTorchFunction():
        state["step"] += 1
        _optimizer(params, lambda ps: torch.optim.Adam(ps, lr=lr, betas=betas, eps=eps)).step()
