# Valid: torch.no_grad() instead of detach, mean instead of 2/m·Σ, keepdim then reshape.
import torch


def mse_gradients(x, y, W, b):
    with torch.no_grad():
        error = torch.addcmul(b - y, x, W)
        dW = (2 * error * x).mean(dim=0)
        db = (2 * error).mean(dim=0, keepdim=True).reshape(1)
    return dW, db
