"""Checks for ex06_zero_grad: gradients accumulate, and one correct optimisation step.

train_step is driven by a probe that builds W, b and the optimizer inside the worker (an
optimizer cannot cross the boundary), optionally with stale .grad values, and reports the
returned costs and W, b after every call. The verdict compares those with the reference run
through the same probe; what the loop spy saw only names the mistake.
"""

import torch

from grader.grading import expect
from grader.grading.checking import check
from grader.i18n import tr
from grader.probes.shared import frozen_loop_mistake

EXERCISE = "ex06_zero_grad"
X = torch.tensor([[1.0], [2.0], [3.0]])
Y = torch.tensor([[4.0], [7.0], [10.0]])
W0 = torch.tensor([0.5])
B0 = torch.tensor([0.25])
STALE = (torch.tensor([7.0]), torch.tensor([-2.0]))
# W, b after a few optimizer steps: compared with the reference in the same dtype, with this tolerance.
STEP_RTOL, STEP_ATOL = 1e-5, 1e-6


# --- accumulated_gradients -----------------------------------------------------------------

def _grads(learner, w0, steps, what=None):
    what = what or f"accumulated_gradients({w0}, {steps})"
    value = learner.call("accumulated_gradients", w0, steps).value
    if not isinstance(value, (list, tuple)):
        expect.fail(tr("{what} returned {got}, not a list of floats", what=what, got=expect.describe(value)),
                    hint=tr("Append w.grad.item() to a list after every backward() and return the list."))
    for entry in value:
        if isinstance(entry, torch.Tensor):
            expect.fail(tr("{what} returned a list of tensors, not Python floats", what=what),
                        hint=tr("Append w.grad.item(), not w.grad: w.grad is one tensor that backward() keeps "
                                "adding into, so every entry would show its final value."))
        if isinstance(entry, bool) or not isinstance(entry, (int, float)):
            expect.fail(tr("{what} returned a list holding {got}, not Python floats", what=what,
                           got=expect.describe(entry)),
                        hint=tr("Append w.grad.item() after every backward()."))
    return list(value)


@check(points=1)
def test_accumulated_returns_list_of_floats(learner):
    """accumulated_gradients(2.0, 3) returns a list of 3 Python floats"""
    value = _grads(learner, 2.0, 3)
    if len(value) != 3:
        expect.fail(tr("accumulated_gradients(2.0, 3) returned {count} values; one per backward() call is 3",
                       count=len(value)),
                    hint=tr("Record w.grad.item() once after every one of the `steps` backward() calls."))


@check(points=2, depends=["accumulated_returns_list_of_floats"])
def test_accumulated_classic_values(learner, oracle):
    """accumulated_gradients(2.0, 3) == [3.0, 6.0, 9.0] and (2.0, 11) gives 3.0, 6.0, …, 33.0"""
    for w0, steps in ((2.0, 3), (2.0, 11)):
        expect.close(_grads(learner, w0, steps), oracle.expected("accumulated_gradients", w0, steps),
                     f"accumulated_gradients({w0}, {steps})",
                     variants=oracle.variants("accumulated_gradients", w0, steps))


@check(points=1, visibility="hidden", depends=["accumulated_classic_values"], taught_by=["accumulated_classic_values"])
def test_accumulated_other_starts(learner, oracle):
    """accumulated_gradients is right for other starting values and numbers of steps (including 0 and 1)"""
    for w0, steps in ((-1.5, 5), (0.0, 1), (4.0, 0), (0.25, 7)):
        got = _grads(learner, w0, steps, "accumulated_gradients")
        expect.close(got, oracle.expected("accumulated_gradients", w0, steps), "accumulated_gradients",
                     variants=oracle.variants("accumulated_gradients", w0, steps))


# --- train_step ----------------------------------------------------------------------------

def _costs(value, what):
    for cost in value["costs"]:
        if isinstance(cost, torch.Tensor):
            expect.fail(tr("{what} returned a tensor, not a Python float", what=what),
                        hint=tr("Return the cost as a plain Python number, taken before the optimizer steps."))
        if isinstance(cost, bool) or not isinstance(cost, float):
            expect.fail(tr("{what} returned {got}, not a Python float", what=what, got=expect.describe(cost)),
                        hint=tr("Return the cost as a plain Python number, taken before the optimizer steps."))
    return value


def _core(value):
    return {key: value[key] for key in ("costs", "W", "b")}


def _steps(learner, oracle, what, x, y, W0, b0, stale, optimizer, lr, calls):
    """Run train_step `calls` times through the probe and require the reference's costs and W, b."""
    args = (x, y, W0, b0, stale, optimizer, lr, calls)
    result = learner.probe("ex06_train_steps", *args, function="train_step")
    got = _costs(result.value, what)
    expected = oracle.probe("ex06_train_steps", *args)
    variants = oracle.probe_variants("ex06_train_steps", *args)  # always asked, so a release records them
    for i in range(calls):
        after = tr("after call {number}", number=i + 1) if calls > 1 else tr("after the call")
        found = None
        if not expect.similar(got["costs"][i], expected["costs"][i], STEP_RTOL, STEP_ATOL):
            values = dict(number=i + 1, got=expect.show(got["costs"][i]), expected=expect.show(expected["costs"][i]))
            message = (tr("the returned cost is {got} where {expected} was expected", **values) if calls == 1 else
                       tr("the returned cost of call {number} is {got} where {expected} was expected", **values))
            found = (message, tr("a wrong cost"))
        for key in ("W", "b"):
            if found is None and not expect.similar(got[key][i], expected[key][i], STEP_RTOL, STEP_ATOL):
                found = (tr("{after}, {key} is {got} where the reference step gives {expected}", after=after, key=key,
                            got=expect.show(got[key][i]), expected=expect.show(expected[key][i])),
                         tr("{after}, {key} is not where the reference step puts it", after=after, key=key))
        if found is not None:
            _fail(result, variants, what, found)
    return result


def _fail(result, variants, what, found):
    given = [step for step in result.value["steps"] if step["given"]]
    mistake = frozen_loop_mistake(given)
    if mistake is None:
        variants = {name: _core(value) for name, value in variants.items()}
        mistake = expect.matching_mistake(_core(result.value), variants, STEP_RTOL, STEP_ATOL)
    hint = None
    if mistake is None and not given:
        hint = tr("train_step must update W and b by calling step() of the optimizer it is given "
                  "(not an optimizer of its own, and not by hand).")
    expect.fail(tr("{what}: {difference}", what=what, difference=found[0]), mistake=mistake, hint=hint,
                safe_message=tr("{what}: {difference}", what=what, difference=found[1]))


@check(points=1)
def test_step_returns_float_cost(learner):
    """train_step returns the cost as a Python float"""
    _costs(learner.probe("ex06_train_steps", X, Y, W0, B0, None, "sgd", 0.05, 1, function="train_step").value,
           "train_step(W, b, optimizer, x, y)")


@check(points=2, depends=["step_returns_float_cost"])
def test_step_matches_one_sgd_step(learner, oracle):
    """train_step makes one SGD step (W ← W − lr·∂cost/∂W) and returns the cost before it"""
    _steps(learner, oracle, tr("{call} with a fresh SGD optimizer", call="train_step"), X, Y, W0, B0, None, "sgd", 0.05, 1)


@check(points=2, depends=["step_matches_one_sgd_step"])
def test_step_ignores_stale_gradients(learner, oracle):
    """train_step is right even when W.grad and b.grad hold stale values on entry (two calls in a row)"""
    _steps(learner, oracle, tr("{call} with stale gradients in W.grad and b.grad", call="train_step"), X, Y, W0, B0, STALE, "sgd", 0.05, 2)


@check(points=2, depends=["step_matches_one_sgd_step"])
def test_step_uses_given_optimizer(learner, oracle):
    """train_step uses the optimizer it is given, whatever it is (SGD with momentum, Adam)"""
    for kind, lr in (("momentum", 0.02), ("adam", 0.1)):
        name = tr("SGD with momentum") if kind == "momentum" else "Adam"
        _steps(learner, oracle, tr("{call} with {name} as the optimizer", call="train_step", name=name),
               X, Y, W0, B0, STALE, kind, lr, 2)


@check(points=1, visibility="hidden", depends=["step_ignores_stale_gradients"],
       taught_by=["step_matches_one_sgd_step", "step_ignores_stale_gradients"])
def test_step_random_float64(learner, oracle, rng):
    """train_step is right on random data and stale gradients, in float64"""
    dtype = torch.float64
    x = torch.randn(7, 1, generator=rng, dtype=dtype) * 2
    y = -2 * x + 0.5 + torch.randn(7, 1, generator=rng, dtype=dtype)
    W, b = torch.randn(1, generator=rng, dtype=dtype), torch.randn(1, generator=rng, dtype=dtype)
    stale = (torch.randn(1, generator=rng, dtype=dtype) * 5, torch.randn(1, generator=rng, dtype=dtype) * 5)
    _steps(learner, oracle, tr("{call} on random {dtype} data", call="train_step", dtype="float64"), x, y, W, b, stale, "sgd", 0.03, 3)


@check(points=1, depends=["step_returns_float_cost"])
def test_step_leaves_x_y_alone(learner):
    """train_step changes only W and b (through the optimizer), never x or y"""
    x, y = X.clone(), Y.clone()
    result = learner.probe("ex06_train_steps", x, y, W0, B0, STALE, "sgd", 0.05, 1, function="train_step")
    expect.unchanged(result, (x, y), ("x", "y"), "train_step()")
