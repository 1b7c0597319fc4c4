# route: the engine's class (torch._C._EngineBase) run_backward called unbound, with torch functions switched off
# function: mse_gradients
# expect: torch.autograd
import torch


def mse_gradients(x, y, W, b):
    with torch._C.DisableTorchFunction():
        W = W.detach().clone().requires_grad_(True)
        b = b.detach().clone().requires_grad_(True)
        cost = ((x * W + b - y) ** 2).mean()
        engine = torch.autograd.Variable._execution_engine
        dW, db = type(engine).run_backward(
            engine, (cost,), (torch.ones_like(cost),), False, False, (W, b), False, False)
    return dW.detach(), db.detach()
