"""ex09 — Softmax regression: softmax, cross-entropy, a multi-class classifier.

With k classes the model outputs k scores per sample, the **logits** z = xW + b of shape
``(n, k)``. **Softmax** turns a row of logits into a probability distribution:

    softmax(z)_j = e^(z_j) / Σ_i e^(z_i)        (every entry in (0, 1), the row sums to 1).

The largest logit gets the largest probability; adding the same constant c to every logit
changes nothing, because e^(z_j − c) / Σ_i e^(z_i − c) = e^(z_j) / Σ_i e^(z_i).

Why the naive formula breaks. In float32, e^z overflows to inf once z > ~88.7: for logits
[1000, 0] the naive version computes inf / inf = NaN. And for logits [−1000, −1000] every
e^z underflows to 0, giving 0 / 0 = NaN. The **max-subtraction trick** uses the invariance
above with c = max_i z_i: after subtracting it, the largest shifted logit is exactly 0, so
every e^(z_j − c) lies in (0, 1] (no overflow) and the denominator is at least 1 (no 0 / 0).

**Cross-entropy** is the cost of a distribution p against the true class t: −log p_t, the
negative log-likelihood of the right answer (0 when p_t = 1, large when p_t is small).
Averaged over the rows of a batch,

    CE = mean_i ( −log softmax(z_i)_{t_i} ).

Taking the log of a softmax is wasteful and fragile (a probability that underflows to 0
gives log 0 = −inf). Writing the log out instead,

    −log softmax(z)_t = −(z_t − log Σ_j e^(z_j)) = logsumexp(z) − z_t,

and `torch.logsumexp` uses the same max trick internally (log Σ e^(z_j) = c + log Σ e^(z_j − c)),
so the cost stays finite for logits of ±1000. Its gradient with respect to the logits is
simply softmax(z) − onehot(t), divided by n for the mean.

`nn.CrossEntropyLoss` expects **logits** and int64 class indices; it applies the
(log-)softmax itself. So the model is a plain ``nn.Linear`` — putting a softmax before
`CrossEntropyLoss` applies it twice and trains badly. Use softmax only to report
probabilities; the predicted class is the arg-max of a row (of logits or of probabilities,
the same thing), and accuracy is the fraction of correct predictions.
"""

import torch
from torch import Tensor, nn


def softmax(z: Tensor, dim: int = -1) -> Tensor:
    """Return the softmax of ``z`` along ``dim``, computed by hand; same shape and dtype.

    Every slice along ``dim`` sums to 1. Subtract the maximum along ``dim`` before
    exponentiating (max-subtraction trick), so logits up to ±1000 in float32 give no NaN or
    inf. Must stay differentiable. Do not modify ``z``.

    Forbidden: ``softmax`` / ``nn.Softmax`` / ``log_softmax`` / ``nn.LogSoftmax`` in any
    form (``torch.softmax``, ``Tensor.softmax``, ``nn.functional.softmax``, ...).
    """
    ### BEGIN SOLUTION
    shifted = z - z.amax(dim=dim, keepdim=True).detach()  # the shift does not change the result
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=dim, keepdim=True)
    ### END SOLUTION


def cross_entropy(logits: Tensor, targets: Tensor) -> Tensor:
    """Return the 0-dim mean cross-entropy of ``logits`` ``(n, k)`` against ``targets`` ``(n,)``.

    ``targets`` are int64 class indices in [0, k). The value is
    mean over rows i of −log softmax(logits_i)[targets_i] = logsumexp(logits_i) − logits_i[targets_i]
    (pick each row's target logit with ``gather`` or indexing). Finite for logits up to ±1000;
    keeps the dtype of ``logits``; differentiable with respect to ``logits``. Do not modify
    the arguments.

    Forbidden: ``cross_entropy`` / ``nn.CrossEntropyLoss`` / ``nll_loss`` / ``nn.NLLLoss`` /
    ``log_softmax`` / ``nn.LogSoftmax`` in any form. Allowed: ``torch.logsumexp`` and this
    module's own ``softmax``.
    """
    ### BEGIN SOLUTION
    target_logits = logits.gather(1, targets.unsqueeze(1)).squeeze(1)
    return (torch.logsumexp(logits, dim=1) - target_logits).mean()
    ### END SOLUTION


def build_model(in_features: int, num_classes: int) -> nn.Sequential:
    """Return ``nn.Sequential(nn.Linear(in_features, num_classes))``, a model that outputs logits.

    Exactly one linear layer and no softmax (``nn.CrossEntropyLoss`` applies it itself).
    It maps ``(n, in_features)`` to logits ``(n, num_classes)``.
    """
    ### BEGIN SOLUTION
    return nn.Sequential(nn.Linear(in_features, num_classes))
    ### END SOLUTION


def train(model: nn.Module, x: Tensor, y: Tensor, lr: float = 0.1, epochs: int = 1000) -> list[float]:
    """Train ``model`` in place on ``x`` ``(n, in_features)`` and int64 labels ``y`` ``(n,)``.

    Use ``torch.optim.SGD(model.parameters(), lr=lr)`` and ``nn.CrossEntropyLoss()`` on the
    model's logits (no softmax in between), full batch. Perform exactly ``epochs`` updates;
    each: clear the gradients, forward, cost, backward, step. Return the ``epochs`` costs as
    Python floats, each recorded *before* its update. Do not modify ``x`` or ``y``.
    """
    ### BEGIN SOLUTION
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        cost = loss_fn(model(x), y)
        losses.append(cost.item())
        cost.backward()
        optimizer.step()
    return losses
    ### END SOLUTION


def predict_proba(model: nn.Module, x: Tensor) -> Tensor:
    """Return the class probabilities for ``x``, shape ``(n, num_classes)``, rows summing to 1.

    Apply this module's own ``softmax`` along dim 1 to the model's logits, without autograd
    (``torch.no_grad()``): the result has no history and ``requires_grad`` is False.
    """
    ### BEGIN SOLUTION
    with torch.no_grad():
        return softmax(model(x), dim=1)
    ### END SOLUTION


def predict(model: nn.Module, x: Tensor) -> Tensor:
    """Return the predicted class of each row of ``x``: int64 indices, shape ``(n,)``.

    The class with the largest logit (equivalently the largest probability), i.e. the
    arg-max along dim 1, computed without autograd.
    """
    ### BEGIN SOLUTION
    with torch.no_grad():
        return model(x).argmax(dim=1)
    ### END SOLUTION


def accuracy(predictions: Tensor, targets: Tensor) -> float:
    """Return the fraction of ``predictions`` equal to ``targets`` as a Python float in [0, 1].

    Both are int64 class indices of shape ``(n,)``. A fraction, not a percentage
    (9 correct out of 10 is 0.9, not 90).
    """
    ### BEGIN SOLUTION
    return (predictions == targets).float().mean().item()
    ### END SOLUTION
