# route: torch.ops.aten._softmax.default, and torch.ops.aten.cross_entropy_loss with torch functions off
# function: softmax, cross_entropy
# expect: softmax, log_softmax, nll_loss
import torch


def softmax(z, dim=-1):
    return torch.ops.aten._softmax.default(z, dim, False)


def cross_entropy(logits, targets):
    with torch._C.DisableTorchFunction():
        return torch.ops.aten.cross_entropy_loss.default(logits, targets)
