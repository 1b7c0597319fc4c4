# route: replaces the function-mode stack's recorder with a mode of its own, then steps torch.optim.Adam
# function: adam_step
# expect: torch.optim, tampered
import torch
from torch.overrides import TorchFunctionMode


class _PassThrough(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        return func(*args, **(kwargs or {}))


def sgd_momentum_step(params, velocities, lr, momentum):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is not None:
                v.mul_(momentum).add_(p.grad)
                p.sub_(lr * v)


def adam_step(params, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    torch._C._pop_torch_function_stack()
    torch._C._push_on_torch_function_stack(_PassThrough())
    state["step"] += 1
    torch.optim.Adam(params, lr=lr, betas=betas, eps=eps).step()
