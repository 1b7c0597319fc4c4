"""Checks for ex11_optimizers: momentum and Adam by hand against torch.optim, the wine data, Adam vs SGD.

The step functions run inside the worker on a fixed quadratic problem (same gradients rule every
step); the checks run torch.optim.SGD(momentum=...) / torch.optim.Adam on the same problem here
and compare step by step. Tolerances: float32 rtol=1e-4, atol=1e-5; float64 rtol=1e-7, atol=1e-9
(the hand-written formulas round differently from torch's fused ones).

Public checks ask the oracle for the known-mistake variants up front, even when the learner's
result is right: a student release replays only the answers a passing run asked for.
"""

import contextlib

import torch

from grader.grading import expect
from grader.catalog import metadata
from grader.grading.checking import check
from grader.i18n import tr
from grader.curriculum.ex11_optimizers.probes import quadratic_problem, torch_optim_run

EXERCISE = "ex11_optimizers"
FORBIDDEN_FOR = {"sgd_momentum_step": ("torch.optim",), "adam_step": ("torch.optim",)}
TOLERANCE = {"float32": (1e-4, 1e-5), "float64": (1e-7, 1e-9)}
TEST_ROWS = 53  # the kit's wine test split: one test sample is 1/53 of the accuracy

# parameter 1 gets no gradient (.grad is None) at step 6: it must be skipped, velocity and all
MOMENTUM = dict(shapes=[[3], [4, 5]], lr=0.05, momentum=0.9, steps=30, seed=1, missing_grads={"1": [5]})
ADAM = [
    # curvatures from 1e-4 to 10: tiny and large gradients side by side (ε placement shows);
    # parameter 2 never gets a gradient
    dict(shapes=[[3], [4, 5], [2]], lr=0.05, steps=30, seed=3, log10_curvature=(-4, 1), missing_grads={"2": list(range(30))}),
    # the default hyper-parameters (lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    dict(shapes=[[2, 3]], steps=30, seed=5),
]
SHORT = 3


@contextlib.contextmanager
def _one_thread():
    """Reference training runs here use tiny tensors: on a busy machine torch's intra-op thread pool
    makes them 10-30x slower (measured: 2 default train_wine runs 0.5 s on one thread, 8-17 s on two)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _forbidden() -> tuple[str, ...]:
    return metadata.load().get(EXERCISE).forbidden


def _tolerance(config):
    return TOLERANCE[config.get("dtype", "float32")]


def _first_difference(got_trajectory, expected_trajectory, rtol, atol):
    for step, (got, want) in enumerate(zip(got_trajectory, expected_trajectory)):
        for i, (g, w) in enumerate(zip(got, want)):
            if not expect.similar(g, w, rtol, atol):
                return step, i, g, w
    return None


def _compare(got, expected, keys, variants, config, what, reference, hidden):
    """Compare the probe's result with torch.optim's on `keys`; name a matching known mistake."""
    rtol, atol = _tolerance(config)
    mine = {k: got[k] for k in keys}
    if expect.similar(mine, {k: expected[k] for k in keys}, rtol, atol):
        return
    variants = {name: {k: value[k] for k in keys} for name, value in variants().items()}
    mistake = expect.matching_mistake(mine, variants, rtol, atol)
    safe = tr("{what} does not match {reference} step for step", what=what, reference=reference)
    found = _first_difference(got["trajectory"], expected["trajectory"], rtol, atol)
    if found is not None:
        step, i, g, w = found
        message = tr("after step {step} of {what}, parameter {i} is {got} where {reference} gives {expected}",
                     step=step + 1, what=what, i=i, got=expect.show(g), reference=reference, expected=expect.show(w))
    else:
        key = next(k for k in keys if k != "trajectory" and not expect.similar(got[k], expected[k], rtol, atol))
        if key == "step":
            message = tr("after {steps} calls of {what}, state['step'] is {got}; expected {steps}", steps=config["steps"],
                         what=what, got=expect.show(got["step"]))
        else:
            i = next(i for i, (g, w) in enumerate(zip(got[key], expected[key])) if not expect.similar(g, w, rtol, atol))
            message = tr("the parameters follow {reference}, but after {steps} steps {key}[{i}] is {got} where "
                         "{reference} holds {expected}", reference=reference, steps=config["steps"], key=key, i=i,
                         got=expect.show(got[key][i]), expected=expect.show(expected[key][i]))
    expect.fail(message, mistake=mistake, safe_message=safe if hidden else None,
                hint=None if mistake else tr("Follow the update rule of the docstring exactly, in that order, in place."))


# ---------------------------------------------------------------------------------------------
# sgd_momentum_step


def _momentum(learner, config):
    return learner.probe("ex11_momentum_run", config, function="sgd_momentum_step")


def _check_moved_in_place(got, config, what, state_keys, state_mistake):
    initial = [p.detach() for p in quadratic_problem(config)[0]]
    if got["replaced_params"] or not got["leaf"]:
        expect.fail(tr("{what} replaced the parameter tensors instead of updating them in place", what=what),
                    mistake="not_in_place")
    if all(expect.similar(p, p0, 0, 0) for p, p0 in zip(got["trajectory"][-1], initial)):
        expect.fail(tr("after {steps} calls of {what} the parameter tensors passed in have not changed",
                       steps=config["steps"], what=what),
                    mistake="not_in_place")
    for key in state_keys:
        values = got[key]
        if not isinstance(values, list) or not all(isinstance(t, torch.Tensor) for t in values):
            expect.fail(tr("after {what}, {key} is not a list of tensors any more", what=what, key=key),
                        hint=tr("Update the tensors of {key} in place; keep the list as it is.", key=key))
        if all(not bool(t.any()) for t in values):
            expect.fail(tr("after {steps} calls of {what}, {key} still holds only zeros", steps=config["steps"], what=what,
                           key=key), mistake=state_mistake)


@check(points=1)
def test_momentum_step_updates_in_place(learner):
    """sgd_momentum_step changes the parameters and the velocities in place"""
    config = dict(MOMENTUM, steps=SHORT)
    got = _momentum(learner, config).value
    _check_moved_in_place(got, config, "sgd_momentum_step", ["velocities"], "velocity_not_kept")


@check(points=2, depends=["momentum_step_updates_in_place"])
def test_momentum_step_matches_torch(learner, oracle):
    """sgd_momentum_step matches torch.optim.SGD(momentum=0.9) step for step over 30 steps (a parameter without .grad is skipped)"""
    got = _momentum(learner, MOMENTUM).value
    variants = oracle.probe_variants("ex11_momentum_run", MOMENTUM)
    _compare(got, torch_optim_run("momentum", MOMENTUM), ("trajectory", "velocities"), lambda: variants, MOMENTUM,
             "sgd_momentum_step", "torch.optim.SGD(momentum=0.9)", hidden=False)


@check(points=1, visibility="hidden", depends=["momentum_step_matches_torch"], taught_by=["momentum_step_matches_torch"])
def test_momentum_step_float64_skips_missing_grads(learner, oracle, rng):
    """sgd_momentum_step matches torch.optim.SGD in float64 for other shapes and settings, skipping params without .grad"""
    config = dict(shapes=[[], [3], [4, 5]], lr=0.03, momentum=0.5, steps=30, dtype="float64",
                  seed=int(torch.randint(0, 10_000, (1,), generator=rng)), missing_grads={"1": [3, 4, 10], "0": [0]})
    got = _momentum(learner, config).value
    _compare(got, torch_optim_run("momentum", config), ("trajectory", "velocities"),
             lambda: oracle.probe_variants("ex11_momentum_run", config), config,
             "sgd_momentum_step", "torch.optim.SGD", hidden=True)


# ---------------------------------------------------------------------------------------------
# adam_step


def _adam(learner, config):
    return learner.probe("ex11_adam_run", config, function="adam_step")


@check(points=1)
def test_adam_step_updates_in_place_and_counts(learner):
    """adam_step changes the parameters, m and v in place and counts state["step"]"""
    config = dict(ADAM[0], steps=SHORT)
    got = _adam(learner, config).value
    step = got["step"]
    if isinstance(step, bool) or not isinstance(step, int) or step != SHORT:
        mistake = "adam_step_not_counted" if step == 0 else None
        expect.fail(tr("after {calls} calls of adam_step, state['step'] is {got}; expected the int {calls}", calls=SHORT,
                       got=expect.describe(step)),
                    mistake=mistake, hint=None if mistake else tr("Add 1 to state['step'] once per call."))
    _check_moved_in_place(got, config, "adam_step", ["m", "v"], "adam_state_not_kept")


@check(points=2, depends=["adam_step_updates_in_place_and_counts"])
def test_adam_step_matches_torch(learner, oracle):
    """adam_step matches torch.optim.Adam step for step over 30 steps (bias correction included, a parameter without .grad skipped)"""
    for config in ADAM:
        got = _adam(learner, config).value
        variants = oracle.probe_variants("ex11_adam_run", config)
        _compare(got, torch_optim_run("adam", config), ("trajectory", "m", "v", "step"), lambda: variants, config,
                 "adam_step", "torch.optim.Adam", hidden=False)


ADAM_OTHER = dict(shapes=[[3], [2, 2]], lr=0.02, betas=[0.8, 0.99], eps=1e-2, steps=20, seed=7, log10_curvature=(-3, 1))


@check(points=1, depends=["adam_step_updates_in_place_and_counts"])
def test_adam_step_uses_given_hyperparameters(learner, oracle):
    """adam_step uses the betas and eps it is given: betas=(0.8, 0.99), eps=0.01 match torch.optim.Adam with them"""
    got = _adam(learner, ADAM_OTHER).value
    variants = oracle.probe_variants("ex11_adam_run", ADAM_OTHER)
    _compare(got, torch_optim_run("adam", ADAM_OTHER), ("trajectory", "m", "v", "step"), lambda: variants, ADAM_OTHER,
             "adam_step(betas=(0.8, 0.99), eps=0.01)", "torch.optim.Adam(betas=(0.8, 0.99), eps=0.01)", hidden=False)


@check(points=2, visibility="hidden", depends=["adam_step_matches_torch"],
       taught_by=["adam_step_matches_torch", "adam_step_uses_given_hyperparameters"])
def test_adam_step_other_settings_float64(learner, oracle, rng):
    """adam_step matches torch.optim.Adam for other betas, eps and shapes in float64, skipping params without .grad"""
    config = dict(shapes=[[], [3], [4, 5]], lr=0.02, betas=[0.8, 0.99], eps=1e-2, steps=30, dtype="float64",
                  seed=int(torch.randint(0, 10_000, (1,), generator=rng)), log10_curvature=(-3, 1),
                  missing_grads={"0": list(range(30))})
    got = _adam(learner, config).value
    _compare(got, torch_optim_run("adam", config), ("trajectory", "m", "v", "step"),
             lambda: oracle.probe_variants("ex11_adam_run", config), config,
             "adam_step", "torch.optim.Adam", hidden=True)


@check(points=1, depends=["momentum_step_updates_in_place", "adam_step_updates_in_place_and_counts"])
def test_steps_without_torch_optim(learner):
    """sgd_momentum_step and adam_step do the update themselves (no torch.optim)"""
    expect.not_forbidden(_momentum(learner, dict(MOMENTUM, steps=2)), _forbidden(), "sgd_momentum_step()")
    expect.not_forbidden(_adam(learner, dict(ADAM[0], steps=2)), _forbidden(), "adam_step()")


# ---------------------------------------------------------------------------------------------
# load_wine


def _wine_data(learner):
    features, labels = expect.sequence(learner.call("load_wine").value, 2, "load_wine()")
    features = expect.tensor(features, tr("the features of {call}", call="load_wine()"))
    labels = expect.tensor(labels, tr("the labels of {call}", call="load_wine()"))
    return features, labels


@check(points=1)
def test_load_wine_shapes_and_dtypes(learner):
    """load_wine returns float32 features (178, 13) and int64 labels (178,)"""
    features, labels = _wine_data(learner)
    expect.shape(features, (178, 13), tr("the features of {call}", call="load_wine()"))
    expect.shape(labels, (178,), tr("the labels of {call}", call="load_wine()"))
    if features.dtype != torch.float32:
        expect.fail(tr("the features of load_wine() have dtype {got}, expected torch.float32", got=features.dtype),
                    hint=tr("Build them with dtype=torch.float32 (or call .float() on a float64 array/tensor)."))
    if labels.dtype != torch.int64:
        expect.fail(tr("the labels of load_wine() have dtype {got}, expected torch.int64", got=labels.dtype),
                    hint=tr("Class indices are integers: build the labels with dtype=torch.int64 (or .long())."))


@check(points=1, depends=["load_wine_shapes_and_dtypes"])
def test_load_wine_matches_file(learner, oracle):
    """load_wine returns exactly the rows of the kit's wine_data.csv, in order"""
    features, labels = _wine_data(learner)
    expected_features, expected_labels = oracle.expected("load_wine")
    expect.close(features, expected_features, tr("the features of {call}", call="load_wine()"), hidden_detail=tr("values that differ from the file"))
    expect.close(labels, expected_labels, tr("the labels of {call}", call="load_wine()"), hidden_detail=tr("labels that differ from the file"))


# ---------------------------------------------------------------------------------------------
# train_wine (each run takes a fraction of a second: every learner run is made once and reused)

def _accuracy(learner, optimizer: str):
    cache = learner.__dict__.setdefault("_kit_ex11_train_wine", {})
    if optimizer not in cache:
        cache[optimizer] = learner.call("train_wine", optimizer).value
    value = cache[optimizer]
    what = f'train_wine("{optimizer}")'
    if isinstance(value, torch.Tensor):
        expect.fail(tr("{what} returned a tensor; expected a Python float", what=what),
                    hint=tr("Return the accuracy as a Python float: the share of test rows predicted right."))
    if isinstance(value, bool) or not isinstance(value, (float, int)):
        expect.fail(tr("{what} returned {got}; expected a float in [0, 1]", what=what, got=expect.describe(value)))
    if not 0.0 <= value <= 1.0:
        mistake = "percentage_not_fraction" if 1.0 < value <= 100.0 else None
        expect.fail(tr("{what} returned {got}; an accuracy is a fraction in [0, 1]", what=what,
                       got=expect.show(float(value))), mistake=mistake,
                    hint=None if mistake else tr("Return the fraction of test rows predicted correctly."))
    return float(value)


def _reference_accuracy(oracle, optimizer: str) -> float:
    with _one_thread():
        return float(oracle.expected("train_wine", optimizer))


@check(points=1, depends=["load_wine_shapes_and_dtypes"])
def test_train_wine_returns_fraction(learner):
    """train_wine returns the test accuracy as a float in [0, 1]"""
    _accuracy(learner, "adam")


@check(points=1, depends=["train_wine_returns_fraction"])
def test_train_wine_adam_beats_sgd(learner):
    """with the defaults Adam reaches at least 0.9 test accuracy on the raw wine data and beats plain SGD"""
    adam, sgd = _accuracy(learner, "adam"), _accuracy(learner, "sgd")
    if adam < 0.9:
        expect.fail(tr('train_wine("adam") reached {adam:.3f} test accuracy; Adam should reach at least 0.9', adam=adam),
                    hint=tr("Use torch.optim.Adam(model.parameters(), lr=lr) and train for exactly `epochs` full-batch updates."))
    if adam <= sgd:
        expect.fail(tr('train_wine("sgd") reached {sgd:.3f}, as much as Adam ({adam:.3f}); with plain SGD on unscaled '
                       "features it should do clearly worse", sgd=sgd, adam=adam),
                    hint=tr('For "sgd" use plain torch.optim.SGD(model.parameters(), lr=lr): no momentum, no feature scaling.'))


@check(points=1, depends=["train_wine_returns_fraction"])
def test_train_wine_matches_reference(learner, oracle):
    """train_wine matches the reference accuracy for both optimizers (within one test sample)"""
    for optimizer in ("adam", "sgd"):
        got, expected = _accuracy(learner, optimizer), _reference_accuracy(oracle, optimizer)
        if abs(got - expected) > 1 / TEST_ROWS + 1e-6:
            expect.fail(tr('train_wine("{optimizer}") reached {got:.4f} where the reference reaches {expected:.4f}',
                           optimizer=optimizer, got=got, expected=expected),
                        safe_message=tr('train_wine("{optimizer}") does not reach the reference accuracy',
                                        optimizer=optimizer),
                        hint=tr("Seed with torch.manual_seed(seed) right before nn.Linear(13, 3), train on the kit's split "
                                "(split_wine) for exactly `epochs` full-batch updates with lr, and score the test part."))
