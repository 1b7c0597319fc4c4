"""Known mistakes of ex08_logistic_regression, as functions computing what the mistaken code returns."""

import torch
from torch import nn

from grader.mistakes.training import mistaken_loop


# sigmoid -------------------------------------------------------------------------------------
def _exp_ratio_sigmoid(z):
    """e^z / (1 + e^z): inf / inf = NaN once z > ~88.7 in float32."""
    e = torch.exp(z)
    return e / (1 + e)


def _abs_sigmoid(z):
    """The stable formula built on torch.abs, whose gradient at 0 is 0 (so σ'(0) comes out 0)."""
    e = torch.exp(-torch.abs(z))
    return torch.where(z >= 0, 1 / (1 + e), e / (1 + e))


# binary cross-entropy ------------------------------------------------------------------------
def _bce_terms(p, y):
    return y * torch.log(p).clamp(min=-100) + (1 - y) * torch.log(1 - p).clamp(min=-100)


def _bce_unclamped(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def _bce_clamped_probabilities(p, y):
    q = p.clamp(1e-7, 1 - 1e-7)
    return -(y * torch.log(q) + (1 - y) * torch.log(1 - q)).mean()


# train ---------------------------------------------------------------------------------------
def _train_variant(**change):
    return mistaken_loop(nn.BCELoss, 0.01, **change)


# predict -------------------------------------------------------------------------------------
def _predict(model, x, threshold=0.5, *, strict=False, fixed=None):
    with torch.no_grad():
        p = model(x)
        t = threshold if fixed is None else fixed
        return ((p > t) if strict else (p >= t)).to(p.dtype)


# "train" comes first: oracle.probe_variants keeps the first variant of an id (sum_instead_of_mean is
# both a train and a binary_cross_entropy mistake), and the train probes need train's own.
VARIANTS = {
    "train": {
        "missing_zero_grad": _train_variant(zero_grad=False),
        "parameters_never_updated": _train_variant(step_first=True),
        "one_update_too_many": _train_variant(extra=1),
        "one_update_too_few": _train_variant(extra=-1),
        "cost_recorded_after_update": _train_variant(after=True),
        "sum_instead_of_mean": _train_variant(reduction="sum"),
        "sigmoid_applied_twice": _train_variant(output=torch.sigmoid),
    },
    "predict": {
        "threshold_strict": lambda model, x, threshold=0.5: _predict(model, x, threshold, strict=True),
        "threshold_ignored": lambda model, x, threshold=0.5: _predict(model, x, threshold, fixed=0.5),
    },
    "sigmoid": {
        "naive_sigmoid_overflow": _exp_ratio_sigmoid,
        "sigmoid_gradient_at_zero": _abs_sigmoid,
        "sigmoid_sign_flipped": lambda z: 1 / (1 + torch.exp(z)),
    },
    "binary_cross_entropy": {
        "bce_log_not_clamped": _bce_unclamped,
        "bce_clamped_probabilities": _bce_clamped_probabilities,
        "missing_minus_sign": lambda p, y: _bce_terms(p, y).mean(),
        "sum_instead_of_mean": lambda p, y: -_bce_terms(p, y).sum(),
        "bce_swapped_terms": lambda p, y: -(
            (1 - y) * torch.log(p).clamp(min=-100) + y * torch.log(1 - p).clamp(min=-100)).mean(),
    },
}
