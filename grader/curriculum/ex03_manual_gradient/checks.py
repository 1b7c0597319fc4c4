"""Checks for ex03_manual_gradient: dW and db of the MSE, by hand, against the reference and autograd."""

import torch

from grader.grading import expect
from grader.catalog import metadata
from grader.grading.checking import check
from grader.i18n import tr
from grader.i18n.sources import N_
from grader.sandbox.codec import meta

EXERCISE = "ex03_manual_gradient"
# The contract forbids only autograd here ("No autograd"): mse_loss, e.g. to print the cost, is allowed.
FORBIDDEN = ("torch.autograd",)
FORBIDDEN_FOR = {"mse_gradients": FORBIDDEN}
X = torch.tensor([[1.0], [2.0], [3.0]])
# (x, y, W, b): the docstring's example from zero parameters, then W, b ≠ 0 so every known
# mistake (including swapped dW and db) gives a different value.
FIXED = (
    (X, torch.tensor([[2.0], [4.0], [6.0]]), torch.zeros(1), torch.zeros(1)),
    (X, torch.tensor([[4.0], [7.0], [10.0]]), torch.tensor([0.5]), torch.tensor([-1.0])),
)
WHAT = "mse_gradients(x, y, W, b)"


def autograd_gradients(x, y, W, b):
    """What PyTorch's autograd says: the gradients of mean((x·W + b − y)²) w.r.t. W and b."""
    W = W.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    loss = ((x.detach() * W + b - y.detach()) ** 2).mean()
    return torch.autograd.grad(loss, (W, b))


def _random_case(rng, n, dtype):
    x = torch.randn(n, 1, generator=rng, dtype=dtype) * 2
    y = 3 * x + 1 + torch.randn(n, 1, generator=rng, dtype=dtype)
    W, b = (torch.randn(2, generator=rng, dtype=dtype) * 2).split(1)
    return x, y, W.clone(), b.clone()


def _call(learner, x, y, W, b):
    result = learner.call("mse_gradients", x, y, W, b)
    pair = expect.sequence(result.value, 2, WHAT)
    dW, db = (expect.tensor(t, tr("{name} from {call}", name=name, call=WHAT)) for name, t in zip(("dW", "db"), pair))
    for name, t in (("dW", dW), ("db", db)):
        expect.shape(t, (1,), tr("{name} from {call}", name=name, call=WHAT))
    return result, (dW, db)


def _show(pair):
    return ", ".join(f"{name} = {expect.show(t.reshape(()) if t.numel() == 1 else t)}" for name, t in zip(("dW", "db"), pair))


def _inputs(x, y, W, b):
    """The call as a learner can replay it (public checks only)."""
    rows = lambda t: "[" + ", ".join(f"[{v:g}]" for v in t.reshape(-1).tolist()) + "]"
    return f"mse_gradients(x={rows(x)}, y={rows(y)}, W=[{W.item():g}], b=[{b.item():g}])"


def _compare(got, expected, variants=None, source=N_("the reference"), call=WHAT):
    """dW and db close to `expected` (assert_close defaults); a match with a known mistake names it."""
    if expect.similar(got, tuple(expected)):
        return
    mistake = expect.matching_mistake(got, variants)
    expect.fail(tr("{call} returned {got} where {source} gives {expected}", call=call, got=_show(got), source=source,
                   expected=_show(expected)), mistake=mistake,
                safe_message=tr("{call} returned wrong gradients (they differ from {source})", call=WHAT, source=source))


@check(points=1)
def test_returns_two_vectors(learner):
    """mse_gradients returns (dW, db): two float32 tensors of shape (1,)"""
    _, pair = _call(learner, *FIXED[1])
    for name, t in zip(("dW", "db"), pair):
        expect.dtype(t, torch.float32, tr("{name} from {call}", name=name, call=WHAT))


@check(points=3, depends=["returns_two_vectors"])
def test_matches_formula(learner, oracle):
    """dW = 2/m·Σ e·x and db = 2/m·Σ e with e = x·W + b − y, as autograd computes them"""
    for x, y, W, b in FIXED:
        _, got = _call(learner, x, y, W, b)
        call = _inputs(x, y, W, b)
        _compare(got, oracle.expected("mse_gradients", x, y, W, b), oracle.variants("mse_gradients", x, y, W, b),
                 call=call)
        _compare(got, autograd_gradients(x, y, W, b), source=N_("PyTorch's autograd"), call=call)


@check(points=1, visibility="hidden", depends=["matches_formula"], taught_by=["matches_formula"])
def test_random_batches(learner, oracle, rng):
    """dW and db agree with the reference and with autograd on random batches"""
    for n in (1, 9, 64):
        x, y, W, b = _random_case(rng, n, torch.float32)
        _, got = _call(learner, x, y, W, b)
        _compare(got, oracle.expected("mse_gradients", x, y, W, b), oracle.variants("mse_gradients", x, y, W, b))
        _compare(got, autograd_gradients(x, y, W, b), source=N_("PyTorch's autograd"))


@check(points=1, depends=["returns_two_vectors"])
def test_float64_in_float64_out(learner):
    """float64 inputs give float64 gradients (returned tensors keep the dtype of the inputs)"""
    _, got = _call(learner, *(t.double() for t in FIXED[1]))
    for name, t in zip(("dW", "db"), got):
        expect.dtype(t, torch.float64, tr("{name} from {call} on float64 inputs", name=name, call=WHAT))


@check(points=1, visibility="hidden", depends=["matches_formula"], taught_by=["matches_formula", "float64_in_float64_out"])
def test_keeps_float64(learner, oracle, rng):
    """float64 inputs give float64 gradients, as precise as autograd's"""
    x, y, W, b = _random_case(rng, 20, torch.float64)
    _, got = _call(learner, x, y, W, b)
    for name, t in zip(("dW", "db"), got):
        expect.dtype(t, torch.float64, tr("{name} from {call} on float64 inputs", name=name, call=WHAT))
    _compare(got, autograd_gradients(x, y, W, b), oracle.variants("mse_gradients", x, y, W, b),
             source=N_("PyTorch's autograd"))


# whether the results carry autograd history does not depend on their values being right
@check(points=1, depends=["returns_two_vectors"])
def test_results_do_not_require_grad(learner):
    """with W and b requiring grad, dW and db are still plain tensors that do not require grad (no autograd here)"""
    x, y, W, b = FIXED[1]
    _, got = _call(learner, x, y, W.clone().requires_grad_(True), b.clone().requires_grad_(True))
    for name, t in zip(("dW", "db"), got):
        expect.no_grad_tensor(t, tr("{name} from {call} (called with W and b requiring grad)", name=name, call=WHAT),
                              mistake="result_requires_grad")


@check(points=1, depends=["returns_two_vectors"])
def test_arguments_unchanged(learner):
    """mse_gradients leaves x, y, W and b unchanged"""
    sent = tuple(t.clone() for t in FIXED[1])
    result, _ = _call(learner, *sent)
    expect.unchanged(result, sent, ("x", "y", "W", "b"), WHAT)


@check(points=1, depends=["returns_two_vectors"])
def test_no_autograd(learner):
    """mse_gradients works the derivatives out by hand: no backward(), no torch.autograd"""
    x, y, W, b = FIXED[1]
    result, _ = _call(learner, x, y, W.clone().requires_grad_(True), b.clone().requires_grad_(True))
    expect.not_forbidden(result, FORBIDDEN, WHAT)
