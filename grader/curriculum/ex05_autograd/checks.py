"""Checks for ex05_autograd: gradients from autograd, and gradient descent with a hand-written update."""

import torch

from grader.grading import expect
from grader.grading.checking import check
from grader.catalog import metadata
from grader.i18n import tr
from grader.i18n.sources import N_
from grader.grading.outcomes import LearnerError
from grader.sandbox.codec import meta

EXERCISE = "ex05_autograd"
FORBIDDEN = metadata.load().get(EXERCISE).forbidden
FORBIDDEN_FOR = {"autograd_gradients": FORBIDDEN, "fit_autograd": FORBIDDEN}
X = torch.tensor([[1.0], [2.0], [3.0]])
Y = torch.tensor([[4.0], [7.0], [10.0]])
W = torch.tensor([0.5])
B = torch.tensor([0.25])
ZERO_W, ZERO_B = torch.zeros(1), torch.zeros(1)  # distinct objects: one tensor sent twice would arrive as one
STALE = (torch.tensor([7.0]), torch.tensor([-2.0]))
KEYS = ("W", "b", "losses", "ws", "bs")
# Whole training runs: compared with the reference run in the same dtype, with this tolerance.
RUN_RTOL, RUN_ATOL = 1e-4, 1e-5
IN_PLACE_ON_LEAF = "a leaf Variable that requires grad is being used in an in-place operation"


def _batch(rng, n, dtype):
    x = torch.randn(n, 1, generator=rng, dtype=dtype) * 2
    y = 3 * x - 1 + torch.randn(n, 1, generator=rng, dtype=dtype)
    W0, b0 = torch.randn(1, generator=rng, dtype=dtype), torch.randn(1, generator=rng, dtype=dtype)
    return x, y, W0, b0


# --- autograd_gradients --------------------------------------------------------------------

def _gradients(learner, x, y, W, b, dtype=torch.float32):
    result = learner.call("autograd_gradients", x, y, W, b)
    pair = expect.sequence(result.value, 2, "autograd_gradients(x, y, W, b)")
    for name, value in zip(("dW", "db"), pair):
        what = tr("the {name} returned by {call}", name=name, call="autograd_gradients")
        expect.tensor(value, what)
        expect.shape(value, (1,), what)
        expect.dtype(value, dtype, what)
    return result, pair


def _show_pair(pair):
    return f"dW = {expect.show(pair[0])}, db = {expect.show(pair[1])}"


def _close_pair(pair, expected, what, variants=None):
    """dW and db together, so a swapped pair or a known mistake can be named."""
    pair = tuple(pair)
    if not expect.similar(pair, expected):
        expect.fail(tr("{what} returned {got} where {expected} was expected", what=what, got=_show_pair(pair),
                       expected=_show_pair(expected)),
                    mistake=expect.matching_mistake(pair, variants),
                    safe_message=tr("{what} returned wrong gradients", what=what))


def _show_grad(grad):
    return "None" if grad is None else "[" + ", ".join(f"{v:.6g}" for v in grad.reshape(-1).tolist()) + "]"


def _autograd_truth(x, y, W, b):
    """PyTorch's own autograd on the MSE, in the trusted process."""
    W, b = W.clone().requires_grad_(True), b.clone().requires_grad_(True)
    ((x * W + b - y) ** 2).mean().backward()
    return W.grad, b.grad


@check(points=1)
def test_gradients_are_plain_tensors(learner):
    """autograd_gradients returns (dW, db): float32 tensors of shape (1,) that do not require grad"""
    _, pair = _gradients(learner, X, Y, W, B)
    for name, value in zip(("dW", "db"), pair):
        if meta(value).requires_grad:
            expect.fail(tr("the {name} returned by autograd_gradients requires grad; "
                           "gradients are returned as plain tensors", name=name),
                        hint=tr("Return W.grad and b.grad after backward() (or .detach() them); "
                                "torch.autograd.grad(..., create_graph=True) would keep a graph."))


@check(points=2, depends=["gradients_are_plain_tensors"])
def test_gradients_match_hand_formula(learner, oracle):
    """autograd_gradients gives the dW and db of the hand formulas (exercise 03)"""
    for W_, b_ in ((W, B), (ZERO_W, ZERO_B)):
        _, pair = _gradients(learner, X, Y, W_, b_)
        _close_pair(pair, oracle.expected("autograd_gradients", X, Y, W_, b_), "autograd_gradients(x, y, W, b)",
                    oracle.variants("autograd_gradients", X, Y, W_, b_))


@check(points=1, depends=["gradients_are_plain_tensors"])
def test_gradients_keep_float64(learner):
    """on float64 inputs autograd_gradients returns float64 dW and db (the dtype of the inputs)"""
    _gradients(learner, X.double(), Y.double(), W.double(), B.double(), torch.float64)


@check(points=1, visibility="hidden", depends=["gradients_match_hand_formula"],
       taught_by=["gradients_match_hand_formula", "gradients_keep_float64"])
def test_gradients_random_batches_float64(learner, rng):
    """autograd_gradients agrees with PyTorch's autograd on random batches, in float32 and float64"""
    for n, dtype in ((1, torch.float32), (9, torch.float32), (6, torch.float64)):
        x, y, W0, b0 = _batch(rng, n, dtype)
        _, pair = _gradients(learner, x, y, W0, b0, dtype)
        _close_pair(pair, _autograd_truth(x, y, W0, b0), tr("{call} on {dtype} inputs", call="autograd_gradients", dtype=dtype))


# leaving the caller's tensors alone does not depend on the gradients being right
@check(points=2, depends=["gradients_are_plain_tensors"])
def test_gradients_keep_caller_state(learner, oracle):
    """autograd_gradients leaves the caller's W and b as they were: values, requires_grad, .grad (even a stale one)"""
    cases = [(True, STALE), (True, None), (False, None)]
    got = learner.probe("ex05_caller_state", X, Y, W, B, cases, function="autograd_gradients").value
    expected = oracle.expected("autograd_gradients", X, Y, W, B)
    for (requires_grad, stale), found in zip(cases, got):
        setting = (N_("when the caller's W and b require grad and hold an old .grad") if stale is not None
                   else N_("when the caller's W and b require grad") if requires_grad
                   else N_("when the caller's W and b do not require grad"))
        for index, (name, before) in enumerate((("W", W), ("b", B))):
            after = found[name]
            if not expect.similar(after["value"], before, 0, 0):
                expect.fail(tr("autograd_gradients changed the values of the caller's {name} ({setting})", name=name,
                               setting=setting),
                            mistake="mutated_argument")
            if after["requires_grad"] != requires_grad:
                if after["requires_grad"]:
                    message = tr("after autograd_gradients the caller's {name} requires grad ({setting})", name=name,
                                 setting=setting)
                else:
                    message = tr("after autograd_gradients the caller's {name} no longer requires grad ({setting})",
                                 name=name, setting=setting)
                expect.fail(message,
                            mistake="touched_caller_grad")
            old = stale[index] if stale is not None else None
            if old is None and after["grad"] is not None:
                expect.fail(tr("autograd_gradients left a gradient in the caller's {name}.grad, "
                               "which was None ({setting})", name=name, setting=setting),
                            mistake="touched_caller_grad")
            if old is not None and (after["grad"] is None or not expect.similar(after["grad"], old, 0, 0)):
                values = dict(name=name, before=_show_grad(old), after=_show_grad(after["grad"]), setting=setting)
                if after["grad"] is None or not after["grad"].any():
                    message = tr("autograd_gradients cleared the caller's {name}.grad: it held {before} "
                                 "before the call and {after} after ({setting})", **values)
                else:
                    message = tr("autograd_gradients changed the caller's {name}.grad: it held {before} "
                                 "before the call and {after} after ({setting})", **values)
                expect.fail(message,
                            mistake="touched_caller_grad")
        pair = expect.sequence(found["result"], 2, "autograd_gradients(x, y, W, b)")
        for name, value in zip(("dW", "db"), pair):
            expect.tensor(value, tr("the {name} returned by {call} ({setting})", name=name, call="autograd_gradients", setting=setting))


# --- fit_autograd --------------------------------------------------------------------------

def _results(value, what, epochs, dtype=torch.float32):
    """Require the documented dict: W, b plain (1,) tensors, losses/ws/bs equal-length lists of floats."""
    if not isinstance(value, dict):
        expect.fail(tr("{what} returned {got}; expected a dict with keys {keys}", what=what, got=expect.describe(value),
                       keys=", ".join(KEYS)),
                    hint=tr('Return a dict with exactly the keys "W", "b", "losses", "ws" and "bs".'))
    missing = [key for key in KEYS if key not in value]
    if missing:
        expect.fail(tr("the dict returned by {what} has no key {keys}", what=what,
                       keys=", ".join(repr(k) for k in missing)),
                    hint=tr('Return a dict with exactly the keys "W", "b", "losses", "ws" and "bs".'))
    for key in ("W", "b"):
        tensor = expect.tensor(value[key], tr('"{key}" from {call}', key=key, call=what))
        expect.shape(tensor, (1,), tr('"{key}" from {call}', key=key, call=what))
        expect.dtype(tensor, dtype, tr('"{key}" from {call}', key=key, call=what))
        found = meta(tensor)
        if found.grad_fn is not None:
            expect.fail(tr('"{key}" from {what} has autograd history ({grad_fn}): the update was tracked', key=key,
                           what=what, grad_fn=found.grad_fn),
                        mistake="update_with_tracking")
        if found.requires_grad:
            expect.fail(tr('"{key}" from {what} still requires grad', key=key, what=what), mistake="not_detached")
    for key in ("losses", "ws", "bs"):
        entries = value[key]
        if not isinstance(entries, (list, tuple)):
            expect.fail(tr('"{key}" from {what} is {got}, not a list of floats', key=key, what=what,
                           got=expect.describe(entries)),
                        hint=tr("Collect the values in lists, as Python numbers (.item() of each 0-dim tensor)."))
        for entry in entries:
            if isinstance(entry, bool) or not isinstance(entry, (int, float)):
                expect.fail(tr('"{key}" from {what} holds {got}, not Python floats', key=key, what=what,
                               got=expect.describe(entry)),
                            hint=tr("Append plain numbers: loss.item(), W.item(), b.item()."))
    lengths = {key: len(value[key]) for key in ("losses", "ws", "bs")}
    if len(set(lengths.values())) != 1:
        expect.fail(tr("{what} returned lists of different lengths ({lengths}); each iteration appends one "
                       "loss, one W and one b", what=what, lengths=lengths))
    if lengths["losses"] > epochs:
        expect.fail(tr("{what} recorded {count} iterations with epochs={epochs}", what=what, count=lengths["losses"],
                       epochs=epochs),
                    mistake="one_update_too_many" if lengths["losses"] == epochs + 1 else None,
                    safe_message=tr("{what} recorded more iterations than epochs", what=what))
    return value


def _mismatch(got, expected):
    """(message, message without values) for the first difference between two runs, or None."""
    for key in ("losses", "ws", "bs"):
        g, e = got[key], expected[key]
        if len(g) != len(e):
            return (tr('"{key}" has {got} entries where the reference run has {expected}', key=key, got=len(g),
                       expected=len(e)),
                    tr('"{key}" does not have as many entries as the reference run', key=key))
        for i, (gv, ev) in enumerate(zip(g, e)):
            if not expect.similar(gv, ev, RUN_RTOL, RUN_ATOL):
                return (tr("{key}[{i}] is {got} where the reference run has {expected}", key=key, i=i,
                           got=expect.show(gv), expected=expect.show(ev)),
                        tr('"{key}" differs from the reference run', key=key))
    for key in ("W", "b"):
        if not expect.similar(got[key], expected[key], RUN_RTOL, RUN_ATOL):
            return (tr("the final {key} is {got} where the reference run ends at {expected}", key=key,
                       got=expect.show(got[key]), expected=expect.show(expected[key])),
                    tr("the final {key} differs from the reference run", key=key))
    return None


def _same_run(learner, oracle, what, args, kwargs=None, dtype=torch.float32):
    kwargs = kwargs or {}
    result = learner.call("fit_autograd", *args, **kwargs)
    got = _results(result.value, what, args[5], dtype)
    expected = oracle.expected("fit_autograd", *args, **kwargs)
    variants = oracle.variants("fit_autograd", *args, **kwargs)  # always asked, so a release records them
    difference = _mismatch(got, expected)
    if difference is not None:
        mistake = expect.matching_mistake(got, variants, RUN_RTOL, RUN_ATOL)
        expect.fail(tr("{what}: {difference}", what=what, difference=difference[0]), mistake=mistake,
                    safe_message=tr("{what}: {difference}", what=what, difference=difference[1]))
    return result


@check(points=1)
def test_fit_returns_results_dict(learner):
    """fit_autograd returns {"W", "b", "losses", "ws", "bs"}: W, b plain tensors, the rest lists of floats"""
    what = "fit_autograd(x, y, W0, b0, lr=0.01, epochs=3)"
    try:
        result = learner.call("fit_autograd", X, Y, ZERO_W, ZERO_B, 0.01, 3)
    except LearnerError as exc:
        if IN_PLACE_ON_LEAF in exc.message:
            expect.fail(exc.message, mistake="update_with_tracking")
        raise
    _results(result.value, what, 3)


@check(points=2, depends=["fit_returns_results_dict"])
def test_fit_trajectory_matches_reference(learner, oracle):
    """fit_autograd follows the reference run step by step (losses before each update, W and b after it)"""
    _same_run(learner, oracle, "fit_autograd(x, y, W0=0, b0=0, lr=0.01, epochs=40)", (X, Y, ZERO_W, ZERO_B, 0.01, 40))


@check(points=1, depends=["fit_returns_results_dict"])
def test_fit_stops_below_tol(learner, oracle):
    """fit_autograd stops, without updating or recording, as soon as the loss is below tol"""
    _same_run(learner, oracle, "fit_autograd(x, y, W0=0, b0=0, lr=0.01, epochs=60, tol=0.02)",
              (X, Y, ZERO_W, ZERO_B, 0.01, 60), {"tol": 0.02})


@check(points=1, depends=["fit_returns_results_dict"])
def test_fit_keeps_float64(learner):
    """on float64 data and starting points, fit_autograd returns float64 W and b"""
    what = tr("{call} on float64 inputs", call="fit_autograd(x, y, W0, b0, lr=0.01, epochs=3)")
    result = learner.call("fit_autograd", X.double(), Y.double(), W.double(), B.double(), 0.01, 3)
    _results(result.value, what, 3, torch.float64)


@check(points=1, visibility="hidden", depends=["fit_trajectory_matches_reference"],
       taught_by=["fit_trajectory_matches_reference", "fit_keeps_float64"])
def test_fit_random_runs_float64(learner, oracle, rng):
    """fit_autograd matches the reference on random data and starting points, and keeps float64"""
    for n, dtype, lr, epochs in ((5, torch.float64, 0.05, 25), (8, torch.float32, 0.02, 15)):
        x, y, W0, b0 = _batch(rng, n, dtype)
        _same_run(learner, oracle, tr("{call} on random {dtype} data", call="fit_autograd", dtype=dtype), (x, y, W0, b0, lr, epochs), dtype=dtype)


@check(points=1, visibility="hidden", depends=["fit_trajectory_matches_reference"],
       taught_by=["fit_trajectory_matches_reference", "fit_stops_below_tol"])
def test_fit_edge_cases(learner, oracle):
    """fit_autograd handles epochs=0, a start already below tol and a run that converges (default tol)"""
    line = 2 * X + 1
    exact, near = (torch.tensor([2.0]), torch.tensor([1.0])), (torch.tensor([1.8]), torch.tensor([1.3]))
    _same_run(learner, oracle, tr("{call} with epochs=0", call="fit_autograd"), (X, Y, W, B, 0.01, 0))
    _same_run(learner, oracle, tr("{call} starting at the exact solution", call="fit_autograd"), (X, line, *exact, 0.1, 5))
    _same_run(learner, oracle, tr("{call} on a run that reaches the default tol", call="fit_autograd"), (X, line, *near, 0.15, 100))


@check(points=1, depends=["fit_returns_results_dict"])
def test_fit_leaves_arguments_alone(learner):
    """fit_autograd leaves x, y, W0 and b0 as they were (values and requires_grad)"""
    sent = (X.clone(), Y.clone(), W.clone(), B.clone())
    result = learner.call("fit_autograd", *sent, 0.01, 5)
    expect.unchanged(result, sent, ("x", "y", "W0", "b0"), "fit_autograd()")
    for name, after in zip(("W0", "b0"), result.args[2:4]):
        if meta(after).requires_grad:
            expect.fail(tr("after fit_autograd the caller's {name} requires grad", name=name),
                        mistake="touched_caller_grad")


# one check per function: a correct autograd_gradients keeps its point whatever fit_autograd does
@check(points=1, depends=["gradients_are_plain_tensors"])
def test_uses_autograd_not_optim(learner):
    """autograd_gradients lets autograd compute the gradients, without torch.optim"""
    result = learner.call("autograd_gradients", X, Y, W, B)
    expect.not_forbidden(result, FORBIDDEN, "autograd_gradients()")
    if not result.used("torch.autograd"):
        expect.fail(tr("autograd_gradients() computed the gradients without autograd"),
                    hint=tr("Build the MSE from tensors that require grad and call .backward() on it; "
                            "the gradients are then in W.grad and b.grad."))


@check(points=1, depends=["fit_returns_results_dict"])
def test_fit_without_optim(learner):
    """fit_autograd updates W and b itself, without torch.optim"""
    result = learner.call("fit_autograd", X, Y, ZERO_W, ZERO_B, 0.01, 3)
    expect.not_forbidden(result, FORBIDDEN, "fit_autograd()")
