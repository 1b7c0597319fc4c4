"""Checks for ex07_linear_regression: training with torch.optim.SGD, by hand and with nn.Linear.

Training runs are compared with the reference run (same data, dtype, seed) with a stated
tolerance. Only the seed-figure check runs the default 2000 updates; every other run is short.
When a run differs, the mistake is named from the known-mistake variants' runs, or, for loops
whose step() never sees a gradient, from what the loop spy saw (hints only).
"""

import torch

from grader.grading import expect
from grader.grading.checking import check
from grader.i18n import tr
from grader.probes.shared import frozen_loop_mistake
from grader.sandbox.codec import ModuleSummary, meta

EXERCISE = "ex07_linear_regression"
X = torch.tensor([[1.0], [2.0], [3.0]])
Y = torch.tensor([[4.0], [7.0], [10.0]])
# Whole training runs: compared with the reference run in the same dtype, with this tolerance.
RUN_RTOL, RUN_ATOL = 1e-4, 1e-5


def _random(rng, n, features, dtype):
    x = torch.randn(n, features, generator=rng, dtype=dtype)
    weight = torch.randn(features, 1, generator=rng, dtype=dtype)
    y = x @ weight + 0.5 + 0.1 * torch.randn(n, 1, generator=rng, dtype=dtype)
    return x, y


def _mistake(learner, function, args, kwargs, got, variants, *views):
    """Name the mistake of a run that differs from the reference (None when it matches no known one).

    `variants` are the known-mistake runs (asked for before the verdict, so that a release
    records them). `views` reduce a run to what is compared with them, most complete first
    (train: the whole run, then only W and b, for a loop that records the right costs but
    updates once more).
    """
    spied = learner.probe("ex07_loop_spy", function, list(args), kwargs, function=function).value
    mistake = frozen_loop_mistake(spied["steps"])
    if mistake is None:
        for view in views:
            mistake = expect.matching_mistake(view(got), {name: view(value) for name, value in variants.items()},
                                              RUN_RTOL, RUN_ATOL)
            if mistake is not None:
                break
    return mistake


# --- train ---------------------------------------------------------------------------------

def _train(learner, what, args, kwargs=None, dtype=torch.float32, pending=None):
    """Call train (or collect a submitted call) and require (W, b, costs): (1,) tensors and `epochs` floats."""
    kwargs = kwargs or {}
    epochs = kwargs.get("epochs", args[3] if len(args) > 3 else 2000)
    result = pending.result() if pending is not None else learner.call("train", *args, **kwargs)
    W, b, costs = expect.sequence(result.value, 3, what)
    for name, value in (("W", W), ("b", b)):
        expect.tensor(value, tr("the {name} returned by {call}", name=name, call=what))
        expect.shape(value, (1,), tr("the {name} returned by {call}", name=name, call=what))
        expect.dtype(value, dtype, tr("the {name} returned by {call}", name=name, call=what))
        if meta(value).requires_grad:
            expect.fail(tr("the {name} returned by {what} still requires grad", name=name, what=what),
                        mistake="not_detached")
    if not isinstance(costs, (list, tuple)):
        expect.fail(tr("the costs returned by {what} are {got}, not a list of floats", what=what,
                       got=expect.describe(costs)),
                    hint=tr("Collect the costs in a list, one Python number per update."))
    for cost in costs:
        if isinstance(cost, bool) or not isinstance(cost, (int, float)):
            expect.fail(tr("the costs returned by {what} hold {got}, not Python floats", what=what,
                           got=expect.describe(cost)),
                        hint=tr("Append cost.item(), a plain number, once per update."))
    if len(costs) != epochs:
        expect.fail(tr("{what} returned {count} costs; with epochs={epochs} there is one per update, {epochs}",
                       what=what, count=len(costs), epochs=epochs),
                    mistake="one_update_too_many" if len(costs) == epochs + 1 else None,
                    hint=None if len(costs) == epochs + 1 else tr("Record exactly one cost per update, before the update."),
                    safe_message=tr("{what} did not return one cost per update", what=what))
    return result, (W, b, list(costs))


def _show_run(run):
    W, b, costs = run
    return f"W = {expect.show(W)}, b = {expect.show(b)}"


def _same_train(learner, oracle, what, args, kwargs=None, dtype=torch.float32, variants=True):
    kwargs = kwargs or {}
    pending = learner.submit("train", *args, **kwargs)  # the learner's run and the reference run overlap
    expected = oracle.expected("train", *args, **kwargs)
    _, got = _train(learner, what, args, kwargs, dtype, pending)
    variants = oracle.variants("train", *args, **kwargs) if variants else {}
    difference = None
    for i, (g, e) in enumerate(zip(got[2], expected[2])):
        if not expect.similar(g, e, RUN_RTOL, RUN_ATOL):
            difference = (tr("{key}[{i}] is {got} where the reference run has {expected}", key="costs", i=i,
                             got=expect.show(g), expected=expect.show(e)),
                          tr("the costs differ from the reference run"))
            break
    if difference is None and not expect.similar(got[:2], tuple(expected[:2]), RUN_RTOL, RUN_ATOL):
        difference = (tr("it ends at {got} where the reference run ends at {expected}", got=_show_run(got),
                         expected=_show_run(expected)),
                      tr("the final W and b differ from the reference run"))
    if difference is not None:
        mistake = _mistake(learner, "train", args, kwargs, got, variants, tuple, lambda run: tuple(run[:2]))
        expect.fail(tr("{what}: {difference}", what=what, difference=difference[0]), mistake=mistake,
                    safe_message=tr("{what}: {difference}", what=what, difference=difference[1]))
    return got, expected


@check(points=1)
def test_train_returns_parameters_and_costs(learner):
    """train returns (W, b, costs): W, b float32 tensors of shape (1,) not requiring grad, one cost per update"""
    _train(learner, "train(x, y, lr=0.01, epochs=5)", (X, Y, 0.01, 5))


@check(points=2, depends=["train_returns_parameters_and_costs"])
def test_train_trajectory_matches_reference(learner, oracle):
    """train follows the reference SGD run: every cost recorded before its update, same W and b at the end"""
    _same_train(learner, oracle, "train(x, y, lr=0.01, epochs=30)", (X, Y, 0.01, 30))


@check(points=2, depends=["train_trajectory_matches_reference"])
def test_train_reproduces_classic_figure(learner, oracle):
    """with the defaults (lr=0.01, 2000 updates) train reaches the classic W ≈ 2.999, b ≈ 1.002"""
    # 2000 updates: the mistakes' own runs would cost seconds; the 30-update check above names them.
    got, _ = _same_train(learner, oracle, tr("{call} with the default lr and epochs", call="train(x, y)"), (X, Y), variants=False)
    W, b = got[0].item(), got[1].item()
    if f"{W:.3f}" != "2.999" or f"{b:.3f}" != "1.002":
        expect.fail(tr("train(x, y) ends at W = {W:.4f}, b = {b:.4f}; the classic run prints W: 2.999, b: 1.002",
                       W=W, b=b),
                    hint=tr("Check the defaults: lr=0.01 and epochs=2000."))


@check(points=1, depends=["train_returns_parameters_and_costs"])
def test_train_keeps_float64(learner):
    """on float64 data, train returns float64 W and b (returned tensors keep the dtype of the inputs)"""
    _train(learner, tr("{call} on float64 data", call="train(x, y, lr=0.01, epochs=3)"), (X.double(), Y.double(), 0.01, 3),
           dtype=torch.float64)


@check(points=1, visibility="hidden", depends=["train_trajectory_matches_reference"],
       taught_by=["train_trajectory_matches_reference", "train_keeps_float64"])
def test_train_random_float64(learner, oracle, rng):
    """train matches the reference on random data, in float32 and float64 (dtype kept)"""
    for n, dtype, lr, epochs in ((5, torch.float64, 0.05, 20), (9, torch.float32, 0.02, 15)):
        x, y = _random(rng, n, 1, dtype)
        _same_train(learner, oracle, tr("{call} on random {dtype} data", call="train", dtype=dtype), (x, y), {"lr": lr, "epochs": epochs}, dtype)


# --- train_model ---------------------------------------------------------------------------

def _params(model):
    return {"weight": model.parameters.get("weight"), "bias": model.parameters.get("bias")}


def _train_model(learner, what, args, kwargs=None, features=1):
    result = learner.call("train_model", *args, **(kwargs or {}))
    model = result.value
    if not isinstance(model, ModuleSummary):
        expect.fail(tr("{what} returned {got}, not a model", what=what, got=expect.describe(model)),
                    hint=tr("Return the trained nn.Linear itself."))
    if model.type_name != "Linear":
        expect.fail(tr("{what} returned a {type_name} module; expected the nn.Linear itself", what=what,
                       type_name=model.type_name),
                    hint=tr("Build nn.Linear(x.shape[1], 1) and return it (not wrapped in another module)."))
    params = _params(model)
    for name, shape in (("weight", (1, features)), ("bias", (1,))):
        if not isinstance(params[name], torch.Tensor):
            expect.fail(tr("the Linear returned by {what} has no {name}", what=what, name=name),
                        hint=tr("Keep bias=True (the default)."))
        expect.shape(params[name], shape, tr("the {name} of the Linear returned by {call}", name=name, call=what))
    return params


def _same_model(learner, oracle, what, args, kwargs=None, features=1, initial=False):
    kwargs = kwargs or {}
    got = _train_model(learner, what, args, kwargs, features)
    expected = _params(oracle.expected("train_model", *args, **kwargs))
    variants = {name: _params(value) for name, value in oracle.variants("train_model", *args, **kwargs).items()}
    if expect.similar(got, expected, RUN_RTOL, RUN_ATOL):
        return
    shown = tr("weight = {weight}, bias = {bias} where the reference has weight = {expected_weight}, "
               "bias = {expected_bias}", weight=expect.show(got["weight"]), bias=expect.show(got["bias"]),
               expected_weight=expect.show(expected["weight"]), expected_bias=expect.show(expected["bias"]))
    if initial:
        mistake = expect.matching_mistake(got, variants, RUN_RTOL, RUN_ATOL) or "seed_not_set"
    else:
        mistake = _mistake(learner, "train_model", args, kwargs, got, variants, lambda params: params)
    expect.fail(tr("{what}: {difference}", what=what, difference=shown), mistake=mistake,
                safe_message=tr("{what}: the weights differ from the reference", what=what))


@check(points=1)
def test_model_is_linear(learner):
    """train_model returns the nn.Linear it trained, with weight (1, in_features) and bias (1,)"""
    _train_model(learner, "train_model(x, y, lr=0.01, epochs=2)", (X, Y, 0.01, 2))


@check(points=1, depends=["model_is_linear"])
def test_model_initial_weights_follow_seed(learner, oracle):
    """with epochs=0, train_model returns nn.Linear's starting weights after torch.manual_seed(seed)"""
    for seed in (1, 7):
        _same_model(learner, oracle, f"train_model(x, y, epochs=0, seed={seed})", (X, Y), {"epochs": 0, "seed": seed},
                    initial=True)


@check(points=2, depends=["model_initial_weights_follow_seed"])
def test_model_training_matches_reference(learner, oracle):
    """train_model's weights after 30 SGD updates match the reference run with the same seed"""
    _same_model(learner, oracle, "train_model(x, y, lr=0.01, epochs=30, seed=1)", (X, Y, 0.01, 30, 1))


@check(points=1, depends=["model_is_linear"])
def test_model_uses_every_feature(learner, oracle):
    """train_model builds nn.Linear(x.shape[1], 1): with 3 features it trains a weight of shape (1, 3) like the reference"""
    x = torch.tensor([[1.0, 0.5, -1.0], [2.0, -1.0, 0.0], [0.0, 1.5, 2.0], [-1.0, 2.0, 1.0]])
    y = torch.tensor([[1.0], [3.0], [-0.5], [0.5]])
    _same_model(learner, oracle, tr("train_model(x with 3 features, y, lr=0.05, epochs=10, seed=2)"), (x, y),
                {"lr": 0.05, "epochs": 10, "seed": 2}, features=3)


@check(points=1, visibility="hidden", depends=["model_training_matches_reference"],
       taught_by=["model_training_matches_reference", "model_uses_every_feature"])
def test_model_random_runs(learner, oracle, rng):
    """train_model matches the reference on random data with several features and other seeds"""
    for n, features, seed, lr, epochs in ((6, 3, 5, 0.05, 25), (4, 1, 11, 0.1, 10)):
        x, y = _random(rng, n, features, torch.float32)
        _same_model(learner, oracle, tr("{call} on random data with {features} feature(s)", call="train_model", features=features), (x, y),
                    {"lr": lr, "epochs": epochs, "seed": seed}, features)


@check(points=1, depends=["train_returns_parameters_and_costs", "model_is_linear"])
def test_arguments_unchanged(learner):
    """train and train_model leave x and y unchanged"""
    for function in ("train", "train_model"):
        x, y = X.clone(), Y.clone()
        result = learner.call(function, x, y, 0.01, 3)
        expect.unchanged(result, (x, y), ("x", "y"), f"{function}()")
