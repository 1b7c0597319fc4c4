"""Checks for ex02_cost: the sum of squared errors and the MSE."""

import torch

from grader.grading import expect
from grader.grading.checking import check
from grader.i18n import tr
from grader.sandbox.codec import meta

EXERCISE = "ex02_cost"
FORBIDDEN = ("mse_loss",)
FORBIDDEN_FOR = {"sum_squared_error": FORBIDDEN, "mse": FORBIDDEN}  # whose results are not the learner's when reached
PREDICTION = torch.tensor([[1.0], [2.0], [3.0]])
TARGET = torch.tensor([[4.0], [0.5], [6.5]])  # errors of both signs: abs and square differ
ZEROS = torch.zeros(3, 1)
CLASSIC_Y = torch.tensor([[4.0], [5.0], [6.0]])


def _batch(rng, n, dtype=torch.float32):
    return torch.randn(n, 1, generator=rng, dtype=dtype) * 3, torch.randn(n, 1, generator=rng, dtype=dtype) * 3


def _scalar(learner, function, prediction, target):
    result = learner.call(function, prediction, target)
    what = f"{function}(prediction, target)"
    value = expect.tensor(result.value, what, mistake_if_float="python_float" if function == "mse" else None)
    expect.shape(value, (), what)
    return result, value


@check(points=1)
def test_sse_returns_0dim_tensor(learner):
    """sum_squared_error returns a 0-dim float32 tensor"""
    _, value = _scalar(learner, "sum_squared_error", PREDICTION, TARGET)
    expect.dtype(value, torch.float32, "sum_squared_error(prediction, target)")


@check(points=2, depends=["sse_returns_0dim_tensor"])
def test_sse_matches_definition(learner, oracle):
    """sum_squared_error adds up the squared errors of every sample"""
    _, value = _scalar(learner, "sum_squared_error", PREDICTION, TARGET)
    expect.close(value, oracle.expected("sum_squared_error", PREDICTION, TARGET), "sum_squared_error",
                 variants=oracle.variants("sum_squared_error", PREDICTION, TARGET))


@check(points=1, visibility="hidden", depends=["sse_matches_definition"],
       taught_by=["sse_matches_definition", "keeps_float64"])
def test_sse_random_batches_float64(learner, oracle, rng):
    """sum_squared_error is right on random batches and keeps float64"""
    for n in (1, 7, 64):
        prediction, target = _batch(rng, n, torch.float64)
        _, value = _scalar(learner, "sum_squared_error", prediction, target)
        expect.dtype(value, torch.float64, tr("{call} on float64 inputs", call="sum_squared_error"))
        expect.close(value, oracle.expected("sum_squared_error", prediction, target), "sum_squared_error",
                     variants=oracle.variants("sum_squared_error", prediction, target))


@check(points=1)
def test_mse_returns_0dim_tensor(learner):
    """mse returns a 0-dim float32 tensor (not a Python float)"""
    _, value = _scalar(learner, "mse", PREDICTION, TARGET)
    expect.dtype(value, torch.float32, "mse(prediction, target)")


@check(points=2, depends=["mse_returns_0dim_tensor"])
def test_mse_matches_definition(learner, oracle):
    """mse is the mean of the squared errors (the classic zero-parameter cost is 25.6667)"""
    cases = []
    for prediction, target in ((ZEROS, CLASSIC_Y), (PREDICTION, TARGET)):
        _, value = _scalar(learner, "mse", prediction, target)
        cases.append((value, oracle.expected("mse", prediction, target), oracle.variants("mse", prediction, target)))
    expect.close_all(cases, "mse")


@check(points=1, visibility="hidden", depends=["mse_matches_definition"],
       taught_by=["mse_matches_definition", "keeps_float64"])
def test_mse_matches_pytorch(learner, rng):
    """mse agrees with PyTorch's own MSE on random batches, in float32 and float64"""
    for n, dtype in ((1, torch.float32), (50, torch.float32), (13, torch.float64)):
        prediction, target = _batch(rng, n, dtype)
        _, value = _scalar(learner, "mse", prediction, target)
        expect.dtype(value, dtype, tr("{call} on {dtype} inputs", call="mse", dtype=dtype))
        expect.close(value, torch.nn.functional.mse_loss(prediction, target), "mse")


@check(points=1)
def test_keeps_float64(learner):
    """float64 inputs give float64 results: sum_squared_error and mse keep the dtype of their inputs"""
    prediction, target = PREDICTION.double(), TARGET.double()
    for function in ("sum_squared_error", "mse"):
        _, value = _scalar(learner, function, prediction, target)
        expect.dtype(value, torch.float64, tr("{call} on float64 inputs", call=f"{function}(prediction, target)"))


# differentiable needs a 0-dim tensor to take the gradient of, not the right value: a sum instead
# of a mean is still differentiable
@check(points=1, depends=["mse_returns_0dim_tensor"])
def test_mse_is_differentiable(learner, oracle):
    """mse is differentiable: gradients flow back to the prediction"""
    args = [PREDICTION, TARGET]
    got = learner.probe("gradients", "mse", args, [0], function="mse").value
    if not got["connected"]:
        expect.fail(tr("mse(prediction, target) is not connected to autograd, so no gradient reaches the prediction"),
                    mistake="python_float" if not isinstance(got["value"], torch.Tensor) else "detached_forward")
    oracle.probe("gradients", "mse", args, [0])  # asked for, so a release records it
    grad = got["grads"][0]
    if not isinstance(grad, torch.Tensor) or tuple(grad.shape) != tuple(PREDICTION.shape):
        expect.fail(tr("no gradient reached the prediction through mse(prediction, target)"), mistake="detached_forward")
    expect.finite(grad, tr("the gradient of {call} with respect to the {name}", call="mse", name="prediction"), None, "")
    if not grad.any():
        expect.fail(tr("the gradient of mse with respect to the prediction is zero everywhere although the errors are not: "
                       "the cost is cut off from the prediction somewhere"), mistake="detached_forward")


@check(points=1, depends=["sse_returns_0dim_tensor", "mse_returns_0dim_tensor"])
def test_arguments_unchanged(learner):
    """sum_squared_error and mse leave their arguments unchanged"""
    for function in ("sum_squared_error", "mse"):
        prediction, target = PREDICTION.clone(), TARGET.clone()
        result = learner.call(function, prediction, target)
        expect.unchanged(result, (prediction, target), ("prediction", "target"), f"{function}()")


@check(points=1, depends=["sse_returns_0dim_tensor", "mse_returns_0dim_tensor"])
def test_no_library_mse(learner):
    """sum_squared_error and mse compute the cost themselves (no mse_loss / nn.MSELoss)"""
    for function in ("sum_squared_error", "mse"):
        result = learner.call(function, PREDICTION, TARGET)
        expect.not_forbidden(result, FORBIDDEN, f"{function}()")
