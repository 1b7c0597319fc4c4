"""Known mistakes of ex09_softmax_classifier, as functions computing what the mistaken code returns."""

import torch
from torch import nn

from grader.mistakes.training import mistaken_loop


# softmax -------------------------------------------------------------------------------------
def _naive_softmax(z, dim=-1):
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)


def _global_max_softmax(z, dim=-1):
    e = torch.exp(z - z.max())
    return e / e.sum(dim=dim, keepdim=True)


def _no_keepdim_softmax(z, dim=-1):
    e = torch.exp(z - z.amax(dim=dim, keepdim=True))
    return e / e.sum(dim=dim)


def _last_dim_softmax(z, dim=-1):
    """softmax that ignores `dim` and always normalises the last dimension."""
    e = torch.exp(z - z.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


def _first_dim_softmax(z, dim=-1):
    e = torch.exp(z - z.amax(dim=0, keepdim=True))
    return e / e.sum(dim=0, keepdim=True)


# cross-entropy -------------------------------------------------------------------------------
def _picked(logits, targets):
    return logits.gather(1, targets.unsqueeze(1)).squeeze(1)


def _stable_log_softmax(logits):
    return logits - torch.logsumexp(logits, dim=1, keepdim=True)


def _log_of_softmax(logits, targets):
    shifted = logits - logits.amax(dim=1, keepdim=True)
    e = torch.exp(shifted)
    p = e / e.sum(dim=1, keepdim=True)
    return -torch.log(_picked(p, targets)).mean()


def _naive_cross_entropy(logits, targets):
    return -torch.log(_picked(_naive_softmax(logits, 1), targets)).mean()


def _wrong_indexing(logits, targets):
    return -_stable_log_softmax(logits)[:, targets].mean()


# train ---------------------------------------------------------------------------------------
def _train_variant(**change):
    return mistaken_loop(nn.CrossEntropyLoss, 0.1, **change)


# predictions ---------------------------------------------------------------------------------
def _proba_wrong_dim(model, x):
    with torch.no_grad():
        return _first_dim_softmax(model(x))


def _predict_wrong_dim(model, x):
    with torch.no_grad():
        return model(x).argmax(dim=0)


def _accuracy(predictions, targets):
    return (predictions == targets).float().mean().item()


# Order matters: oracle.probe_variants keeps only the first variant of an id, and some ids name a
# mistake of two functions (sum_instead_of_mean: train and cross_entropy; softmax_wrong_dim:
# predict_proba and softmax). The functions the probes exercise (train, predict_proba) come first.
VARIANTS = {
    "train": {
        "softmax_before_cross_entropy": _train_variant(output=lambda out: torch.softmax(out, dim=1)),
        "missing_zero_grad": _train_variant(zero_grad=False),
        "parameters_never_updated": _train_variant(step_first=True),
        "one_update_too_many": _train_variant(extra=1),
        "one_update_too_few": _train_variant(extra=-1),
        "cost_recorded_after_update": _train_variant(after=True),
        "sum_instead_of_mean": _train_variant(reduction="sum"),
    },
    "predict_proba": {
        "softmax_wrong_dim": _proba_wrong_dim,
    },
    "predict": {
        "argmax_wrong_dim": _predict_wrong_dim,
    },
    "accuracy": {
        "percentage_not_fraction": lambda predictions, targets: 100 * _accuracy(predictions, targets),
        "correct_count_not_fraction": lambda predictions, targets: float((predictions == targets).sum().item()),
    },
    "softmax": {
        "naive_softmax_overflow": _naive_softmax,
        "softmax_global_max": _global_max_softmax,
        "softmax_missing_keepdim": _no_keepdim_softmax,
        "softmax_wrong_dim": _last_dim_softmax,
    },
    "cross_entropy": {
        "naive_softmax_overflow": _naive_cross_entropy,
        "log_of_softmax": _log_of_softmax,
        "missing_minus_sign": lambda logits, targets: -(torch.logsumexp(logits, dim=1) - _picked(logits, targets)).mean(),
        "sum_instead_of_mean": lambda logits, targets: (torch.logsumexp(logits, dim=1) - _picked(logits, targets)).sum(),
        "cross_entropy_wrong_indexing": _wrong_indexing,
    },
}
