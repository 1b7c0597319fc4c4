# route: torch.ops.aten.mse_loss_backward computes the gradient of torch.ops.aten.mse_loss
# function: mse_gradients
# expect: mse_loss
import torch


def mse_gradients(x, y, W, b):
    x, y, W, b = x.detach(), y.detach(), W.detach(), b.detach()
    prediction = x * W + b
    torch.ops.aten.mse_loss.default(prediction, y)
    grad = torch.ops.aten.mse_loss_backward.default(torch.ones(()), prediction, y, 1)
    return (grad * x).sum(dim=0), grad.sum(dim=0)
