# mistake: forbidden_call
import torch


def mse_gradients(x, y, W, b):
    def cost(W, b):
        return ((x * W + b - y) ** 2).mean()

    dW, db = torch.func.grad(cost, argnums=(0, 1))(W.detach(), b.detach())
    return dW, db
