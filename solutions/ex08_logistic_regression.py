"""ex08 — Logistic regression: sigmoid, binary cross-entropy, a trained classifier.

Linear regression predicts any real number. For a yes/no question ("does a student who
studied x hours pass?") we want a probability in (0, 1). Logistic regression keeps the
linear part z = x·W + b (the *logit*) and squashes it with the **sigmoid**

    σ(z) = 1 / (1 + e^(−z)),      σ(0) = 0.5,  σ(z) → 1 as z → +∞,  σ(z) → 0 as z → −∞,
    σ'(z) = σ(z)·(1 − σ(z)),      σ(−z) = 1 − σ(z).

Numerical stability. In float32, e^(−z) overflows to inf once −z > ~88.7. For z = −1000 the
formula still gives 1/(1 + inf) = 0, but the *gradient* of that expression is inf/inf = NaN,
and the mirrored form e^z / (1 + e^z) is inf/inf = NaN for z = +1000. The stable recipe only
ever exponentiates a non-positive number: with e = e^(−|z|) ∈ (0, 1],

    σ(z) = 1 / (1 + e)   if z ≥ 0,        σ(z) = e / (1 + e)   if z < 0,

picking the branch elementwise with `torch.where`; both branches are finite everywhere, so
neither the value nor the gradient can become NaN. (Build −|z| as ``torch.where(z >= 0, −z, z)``:
``torch.abs`` has gradient 0 at z = 0, which would silently give σ'(0) = 0 instead of 0.25.)

**Binary cross-entropy** (BCE) is the cost for a probability p against a label y ∈ {0, 1}:

    BCE(p, y) = −mean( y·log p + (1 − y)·log(1 − p) ).

When y = 1 only −log p counts: it is 0 for p = 1 and grows without bound as p → 0, so a
confident wrong answer is punished hard. (It is the negative log-likelihood of a Bernoulli
model; with the sigmoid it gives a convex cost in W and b, unlike MSE on a sigmoid.)
log 0 = −inf would make the cost infinite, so PyTorch clamps **each log** at −100:
log p becomes max(log p, −100), and log(1 − p) becomes max(log(1 − p), −100). With that
clamp p = 0 or p = 1 gives a finite cost (at most 100 per sample).

Training is the loop you already know (`zero_grad` → forward → cost → `backward` → `step`),
now with `nn.Sigmoid()` after the linear layer and `nn.BCELoss()`. A prediction is the class
1 when the probability reaches the threshold (0.5 ⇔ the logit z ≥ 0), else 0.

Remember the kit's conventions: `epochs` is the number of updates (the classic loop
`for epoch in range(nb_epochs + 1)` performs one more), a recorded loss is the value *before*
its update, arguments are never modified in place, and dtypes are kept.
"""

import torch
from torch import Tensor, nn


def sigmoid(z: Tensor) -> Tensor:
    """Return σ(z) = 1 / (1 + e^(−z)) elementwise, same shape and dtype as ``z``.

    Must be numerically stable: no NaN/inf in the value (and no NaN in the gradient) for
    |z| ≤ 1000 in float32. Exponentiate only non-positive numbers (e^(−|z|)) and choose the
    formula for each element by the sign of z with ``torch.where``. Must stay differentiable.
    Do not modify ``z``.

    Forbidden: ``torch.sigmoid`` / ``Tensor.sigmoid`` / ``nn.functional.sigmoid`` /
    ``nn.Sigmoid`` / ``torch.special.expit`` / ``logsigmoid`` in any form.
    """
    ### BEGIN SOLUTION
    # e = e^(−|z|), in (0, 1]: can never overflow. (Not torch.abs: its gradient at z = 0 is 0,
    # which would make σ'(0) = 0 instead of 0.25.)
    e = torch.exp(torch.where(z >= 0, -z, z))
    return torch.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    ### END SOLUTION


def binary_cross_entropy(p: Tensor, y: Tensor) -> Tensor:
    """Return the 0-dim mean binary cross-entropy −mean(y·log p + (1 − y)·log(1 − p)).

    ``p`` holds probabilities in [0, 1] and ``y`` the targets (0.0 / 1.0), same shape, e.g.
    ``(n, 1)``. Clamp *each* log at −100 exactly like
    ``torch.nn.functional.binary_cross_entropy`` (``max(log p, −100)`` and
    ``max(log(1 − p), −100)``), so p = 0 or p = 1 gives a finite cost. The result keeps the
    dtype of ``p`` and must be differentiable with respect to ``p`` (no ``.item()``).
    Do not modify the arguments.

    Forbidden: ``binary_cross_entropy`` / ``binary_cross_entropy_with_logits`` /
    ``nn.BCELoss`` / ``nn.BCEWithLogitsLoss`` in any form.
    """
    ### BEGIN SOLUTION
    log_p = torch.log(p).clamp(min=-100)
    log_1mp = torch.log1p(-p).clamp(min=-100)  # log(1 − p), accurate for small p
    return -(y * log_p + (1 - y) * log_1mp).mean()
    ### END SOLUTION


def build_model(in_features: int) -> nn.Sequential:
    """Return ``nn.Sequential(nn.Linear(in_features, 1), nn.Sigmoid())``.

    Exactly these two layers in this order (the linear layer draws its initial weights from
    PyTorch's global random generator, so ``torch.manual_seed`` before the call makes the
    model reproducible). The model maps ``(n, in_features)`` to probabilities ``(n, 1)``.
    """
    ### BEGIN SOLUTION
    return nn.Sequential(nn.Linear(in_features, 1), nn.Sigmoid())
    ### END SOLUTION


def train(model: nn.Module, x: Tensor, y: Tensor, lr: float = 0.01, epochs: int = 1000) -> list[float]:
    """Train ``model`` in place on ``x`` ``(n, in_features)`` and ``y`` ``(n, 1)`` (0.0 / 1.0).

    Use ``torch.optim.SGD(model.parameters(), lr=lr)`` and ``nn.BCELoss()``, full batch.
    Perform exactly ``epochs`` updates (not ``epochs + 1``); each update: clear the
    gradients, forward, cost, backward, step. Return the list of the ``epochs`` costs as
    Python floats, each recorded *before* its update. Do not modify ``x`` or ``y``.
    """
    ### BEGIN SOLUTION
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.BCELoss()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        cost = loss_fn(model(x), y)
        losses.append(cost.item())
        cost.backward()
        optimizer.step()
    return losses
    ### END SOLUTION


def predict(model: nn.Module, x: Tensor, threshold: float = 0.5) -> Tensor:
    """Return the predicted classes for ``x`` as a float tensor of 0.0 / 1.0, shape ``(n, 1)``.

    1.0 where the model's probability is ≥ ``threshold``, else 0.0; same floating dtype as
    the model's output. Compute it without autograd (``torch.no_grad()``), so the result has
    no history and ``requires_grad`` is False. Do not modify ``x``.
    """
    ### BEGIN SOLUTION
    with torch.no_grad():
        probabilities = model(x)
        return (probabilities >= threshold).to(probabilities.dtype)
    ### END SOLUTION
