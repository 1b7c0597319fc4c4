"""Checks for ex04_gradient_descent: one hand-written step, then a whole training run.

"epochs" is the number of updates (not epochs + 1), and costs[i] is the cost before update i.
"""

import torch

from grader.grading import expect
from grader.catalog import metadata
from grader.grading.checking import check
from grader.i18n import tr
from grader.i18n.sources import N_
from grader.sandbox.codec import ForeignObject

EXERCISE = "ex04_gradient_descent"
FORBIDDEN = metadata.load().get(EXERCISE).forbidden
FORBIDDEN_FOR = {"gradient_descent_step": FORBIDDEN, "fit": FORBIDDEN}
X = torch.tensor([[1.0], [2.0], [3.0]])
Y = torch.tensor([[4.0], [7.0], [10.0]])  # y = 3x + 1: the classic example
STEP_CASE = (X, Y, torch.tensor([0.5]), torch.tensor([-1.0]), 0.1)  # W, b ≠ 0: every known mistake differs
LR = 0.01
# A training run repeats tens of steps; valid reorderings of the arithmetic drift apart by a few
# float32 ulps per step, so whole runs are compared with this looser, stated tolerance.
FIT_RTOL, FIT_ATOL = 1e-4, 1e-5
STEP = "gradient_descent_step(x, y, W, b, lr)"


# ---------------------------------------------------------------------------------------------
# helpers

def _rows(t):
    return "[" + ", ".join(f"[{v:g}]" for v in t.reshape(-1).tolist()) + "]"


def _num(t):
    return expect.show(t.reshape(()) if isinstance(t, torch.Tensor) and t.numel() == 1 else t)


def _pair(W, b):
    return f"W = {_num(W)}, b = {_num(b)}"


def autograd_step(x, y, W, b, lr):
    """One plain gradient-descent step with the gradients from PyTorch's autograd."""
    Wg = W.detach().clone().requires_grad_(True)
    bg = b.detach().clone().requires_grad_(True)
    loss = ((x * Wg + bg - y) ** 2).mean()
    dW, db = torch.autograd.grad(loss, (Wg, bg))
    return (W - lr * dW).detach(), (b - lr * db).detach()


def _step(learner, x, y, W, b, lr):
    result = learner.call("gradient_descent_step", x, y, W, b, lr)
    pair = expect.sequence(result.value, 2, STEP)
    new = tuple(expect.tensor(t, tr("the new {name} from {call}", name=name, call=STEP)) for name, t in zip("Wb", pair))
    for name, t in zip("Wb", new):
        expect.shape(t, (1,), tr("the new {name} from {call}", name=name, call=STEP))
    return result, new


def _compare_step(got, expected, variants=None, call=STEP, source=N_("the reference")):
    if expect.similar(got, tuple(expected)):
        return
    expect.fail(tr("{call} returned {got} where {source} gives {expected}", call=call, got=_pair(*got), source=source,
                   expected=_pair(*expected)),
                mistake=expect.matching_mistake(got, variants),
                safe_message=tr("{call} returned wrong parameters (they differ from {source})", call=STEP, source=source))


def _fit_call(x, y, lr, epochs):
    return f"fit(x={_rows(x)}, y={_rows(y)}, lr={lr:g}, epochs={epochs})"


def _fit(learner, x, y, lr, epochs):
    """Call fit and validate the result's form: (W, b) tensors of shape (1,) and a list of floats."""
    what = "fit(x, y, lr, epochs)"
    result = learner.call("fit", x, y, lr, epochs)
    W, b, costs = expect.sequence(result.value, 3, what)
    W = expect.tensor(W, tr("{name} from {call}", name="W", call=what))
    b = expect.tensor(b, tr("{name} from {call}", name="b", call=what))
    for name, t in (("W", W), ("b", b)):
        expect.shape(t, (1,), tr("{name} from {call}", name=name, call=what))
    if isinstance(costs, torch.Tensor):
        expect.fail(tr("costs from {what} is {got}, not a list of floats", what=what, got=expect.describe(costs)),
                    hint=tr("Start from an empty list and append one Python number per update."))
    if not isinstance(costs, (list, tuple)):
        expect.fail(tr("costs from {what} is {got}, not a list of floats", what=what, got=expect.describe(costs)),
                    hint=tr("Start from an empty list and append one Python number per update."))
    plain = []
    for i, cost in enumerate(costs):
        if isinstance(cost, ForeignObject) and cost.number is not None and "float" in cost.type_name.lower():
            cost = cost.number
        if not isinstance(cost, float):
            expect.fail(tr("costs[{i}] from {what} is {got}, not a Python float", i=i, what=what, got=expect.describe(cost)),
                        hint=tr("Record each cost as a number: costs.append(cost.item())."))
        plain.append(cost)
    return result, W, b, plain


def _variants_part(variants, part, skip=()):
    return {k: (v[part] if isinstance(part, int) else tuple(v[part])) for k, v in variants.items() if k not in skip}


def _compare_parameters(W, b, expected, variants, call):
    """Final W and b of a run against the reference run; a match with a mistaken run names it."""
    if expect.similar((W, b), tuple(expected[:2]), FIT_RTOL, FIT_ATOL):
        return
    mistake = expect.matching_mistake((W, b), _variants_part(variants, slice(0, 2), {"cost_recorded_after_update"}),
                                      FIT_RTOL, FIT_ATOL)
    expect.fail(tr("after {call}: {got} where the reference run ends at {expected}", call=call, got=_pair(W, b),
                   expected=_pair(*expected[:2])),
                mistake=mistake, safe_message=tr("fit ended with wrong W and b"))


def _compare_length(costs, epochs, call):
    if len(costs) != epochs:
        expect.fail(tr("{call} returned {count} costs; expected one per update, so {epochs}", call=call, count=len(costs),
                       epochs=epochs),
                    hint=tr("Record exactly one cost per update, inside the loop and before the update: len(costs) == epochs."),
                    safe_message=tr("fit returned the wrong number of costs for the number of updates"))


def _compare_costs(costs, expected, variants, call):
    _compare_length(costs, len(expected[2]), call)
    if expect.similar(costs, list(expected[2]), FIT_RTOL, FIT_ATOL):
        return
    mistake = expect.matching_mistake(costs, _variants_part(variants, 2), FIT_RTOL, FIT_ATOL)
    i = next(i for i, (got, want) in enumerate(zip(costs, expected[2]))
             if not expect.similar(got, want, FIT_RTOL, FIT_ATOL))
    start = tr(" (the cost of the starting point W = b = 0)") if i == 0 else ""
    expect.fail(tr("{call} recorded costs[{i}] = {got} where the reference records {expected}{start}", call=call, i=i,
                   got=_num(costs[i]), expected=_num(expected[2][i]), start=start),
                mistake=mistake, safe_message=tr("fit recorded wrong costs"))


def _random_data(rng, n, dtype):
    x = torch.randn(n, 1, generator=rng, dtype=dtype) * 1.5
    slope, intercept = (torch.rand(2, generator=rng, dtype=dtype) * 4 - 2).tolist()
    y = slope * x + intercept + 0.3 * torch.randn(n, 1, generator=rng, dtype=dtype)
    return x, y


# ---------------------------------------------------------------------------------------------
# gradient_descent_step

@check(points=1)
def test_step_returns_two_vectors(learner):
    """gradient_descent_step returns the new (W, b): two float32 tensors of shape (1,)"""
    _, new = _step(learner, *STEP_CASE)
    for name, t in zip("Wb", new):
        expect.dtype(t, torch.float32, tr("the new {name} from {call}", name=name, call=STEP))


@check(points=2, depends=["step_returns_two_vectors"])
def test_step_matches_update(learner, oracle):
    """one step returns W − lr·dW and b − lr·db, matching a step with autograd's gradients"""
    x, y, W, b, lr = STEP_CASE
    _, got = _step(learner, *STEP_CASE)
    call = f"gradient_descent_step(x={_rows(x)}, y={_rows(y)}, W=[{W.item():g}], b=[{b.item():g}], lr={lr:g})"
    _compare_step(got, oracle.expected("gradient_descent_step", *STEP_CASE),
                  oracle.variants("gradient_descent_step", *STEP_CASE), call)
    _compare_step(got, autograd_step(*STEP_CASE), call=call, source=N_("a step with PyTorch's autograd"))


@check(points=1, depends=["step_returns_two_vectors"])
def test_step_keeps_float64(learner):
    """on float64 inputs, gradient_descent_step returns float64 W and b (the dtype of the inputs)"""
    case = tuple(a.double() if isinstance(a, torch.Tensor) else a for a in STEP_CASE)
    _, new = _step(learner, *case)
    for name, t in zip("Wb", new):
        expect.dtype(t, torch.float64, tr("the new {name} from {call} on float64 inputs", name=name, call=STEP))


@check(points=1, visibility="hidden", depends=["step_matches_update"],
       taught_by=["step_matches_update", "step_keeps_float64"])
def test_step_random_float64(learner, oracle, rng):
    """one step is right on random data, in float32 and float64 (float64 stays float64)"""
    for n, dtype in ((1, torch.float32), (25, torch.float32), (10, torch.float64)):
        x, y = _random_data(rng, n, dtype)
        W, b = (torch.randn(2, generator=rng, dtype=dtype)).split(1)
        case = (x, y, W.clone(), b.clone(), 0.05)
        _, got = _step(learner, *case)
        for name, t in zip("Wb", got):
            expect.dtype(t, dtype, tr("the new {name} from {call} on {dtype} inputs", name=name, call=STEP, dtype=dtype))
        _compare_step(got, oracle.expected("gradient_descent_step", *case), oracle.variants("gradient_descent_step", *case))
        _compare_step(got, autograd_step(*case), source=N_("a step with PyTorch's autograd"))


# ---------------------------------------------------------------------------------------------
# fit

@check(points=1)
def test_fit_returns_w_b_costs(learner):
    """fit returns (W, b, costs): float32 tensors of shape (1,) and a list of Python floats"""
    _, W, b, _ = _fit(learner, X, Y, LR, 5)
    for name, t in (("W", W), ("b", b)):
        expect.dtype(t, torch.float32, tr("{name} from {call}", name=name, call="fit(x, y, lr, epochs)"))


@check(points=2, depends=["fit_returns_w_b_costs"])
def test_fit_performs_epochs_updates(learner, oracle):
    """fit starts from W = b = 0 and makes exactly `epochs` updates (not epochs + 1)"""
    for epochs in (1, 20):
        _, W, b, costs = _fit(learner, X, Y, LR, epochs)
        call = _fit_call(X, Y, LR, epochs)
        expected = oracle.expected("fit", X, Y, LR, epochs)
        _compare_parameters(W, b, expected, oracle.variants("fit", X, Y, LR, epochs), call)
        _compare_length(costs, epochs, call)


@check(points=1, depends=["fit_performs_epochs_updates"])
def test_fit_costs_before_update(learner, oracle):
    """costs[i] is the cost before update i, so costs[0] is the cost of W = b = 0"""
    epochs = 20
    _, _, _, costs = _fit(learner, X, Y, LR, epochs)
    _compare_costs(costs, oracle.expected("fit", X, Y, LR, epochs), oracle.variants("fit", X, Y, LR, epochs),
                   _fit_call(X, Y, LR, epochs))


@check(points=1, visibility="hidden", depends=["fit_costs_before_update"],
       taught_by=["fit_performs_epochs_updates", "fit_costs_before_update"])
def test_fit_random_case(learner, oracle, rng):
    """fit matches the reference run on a random data set: final W, b and every cost"""
    x, y = _random_data(rng, 12, torch.float32)
    lr, epochs = 0.03, 40
    _, W, b, costs = _fit(learner, x, y, lr, epochs)
    expected, variants = oracle.expected("fit", x, y, lr, epochs), oracle.variants("fit", x, y, lr, epochs)
    _compare_parameters(W, b, expected, variants, "fit(x, y, lr, epochs)")
    _compare_length(costs, epochs, "fit(x, y, lr, epochs)")
    _compare_costs(costs, expected, variants, "fit(x, y, lr, epochs)")


@check(points=1, depends=["fit_returns_w_b_costs"])
def test_fit_float64_in_float64_out(learner):
    """on float64 data, fit starts from float64 zeros and returns W and b in float64 (also for epochs=0)"""
    for epochs in (3, 0):
        _, W, b, _ = _fit(learner, X.double(), Y.double(), LR, epochs)
        for name, t in (("W", W), ("b", b)):
            expect.dtype(t, torch.float64, tr("{name} from {call} on float64 data (epochs={epochs})", name=name, call="fit", epochs=epochs))


@check(points=1, visibility="hidden", depends=["fit_performs_epochs_updates"],
       taught_by=["fit_performs_epochs_updates", "fit_float64_in_float64_out"])
def test_fit_keeps_float64(learner, oracle, rng):
    """on float64 data, fit works and returns W and b in float64 (also for epochs=0)"""
    x, y = _random_data(rng, 9, torch.float64)
    for epochs in (15, 0):
        _, W, b, _ = _fit(learner, x, y, 0.05, epochs)
        for name, t in (("W", W), ("b", b)):
            expect.dtype(t, torch.float64, tr("{name} from {call} on float64 data (epochs={epochs})", name=name, call="fit", epochs=epochs))
        expected = oracle.expected("fit", x, y, 0.05, epochs)
        _compare_parameters(W, b, expected, oracle.variants("fit", x, y, 0.05, epochs), "fit(x, y, lr, epochs)")


@check(points=1, visibility="hidden", depends=["fit_returns_w_b_costs"], taught_by=["fit_performs_epochs_updates"])
def test_fit_zero_epochs(learner):
    """fit with epochs=0 makes no update: W = b = 0 and no costs"""
    _, W, b, costs = _fit(learner, X, Y, LR, 0)
    if torch.count_nonzero(W) or torch.count_nonzero(b):
        expect.fail(tr("fit(..., epochs=0) returned {got}; with no update they stay at their starting value 0",
                       got=_pair(W, b)),
                    mistake="one_update_too_many")
    if costs:
        expect.fail(tr("fit(..., epochs=0) returned {count} cost(s); with no update there is nothing to record",
                       count=len(costs)),
                    hint=tr("Record exactly one cost per update, inside the loop and before the update: len(costs) == epochs."))


# ---------------------------------------------------------------------------------------------
# both

@check(points=1, depends=["step_returns_two_vectors", "fit_returns_w_b_costs"])
def test_arguments_unchanged(learner):
    """gradient_descent_step and fit leave their tensor arguments unchanged"""
    sent = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in STEP_CASE)
    result, _ = _step(learner, *sent)
    expect.unchanged(result, sent, ("x", "y", "W", "b"), STEP)
    sent = (X.clone(), Y.clone(), LR, 3)
    result, *_ = _fit(learner, *sent)
    expect.unchanged(result, sent, ("x", "y"), "fit(x, y, lr, epochs)")


# one check per function: a slip in fit must not cost gradient_descent_step its point
@check(points=1, depends=["step_returns_two_vectors"])
def test_no_autograd_no_optim(learner):
    """gradient_descent_step works by hand: no backward(), no torch.autograd, no torch.optim"""
    result, new = _step(learner, *STEP_CASE)
    expect.not_forbidden(result, FORBIDDEN, STEP)
    for name, t in zip("Wb", new):
        expect.no_grad_tensor(t, tr("the new {name} from {call}", name=name, call=STEP), mistake="result_requires_grad")


@check(points=1, depends=["fit_returns_w_b_costs"])
def test_fit_no_autograd_no_optim(learner):
    """fit works by hand too: no backward(), no torch.autograd, no torch.optim"""
    result, W, b, _ = _fit(learner, X, Y, LR, 5)
    expect.not_forbidden(result, FORBIDDEN, "fit(x, y, lr, epochs)")
    for name, t in (("W", W), ("b", b)):
        expect.no_grad_tensor(t, tr("{name} from {call}", name=name, call="fit(x, y, lr, epochs)"), mistake="result_requires_grad")
