"""Checks for ex01_hypothesis: the parameters W, b and the hypothesis H(x) = x·W + b."""

import torch

from grader.grading import expect
from grader.grading.checking import check
from grader.i18n import tr
from grader.sandbox.codec import meta

EXERCISE = "ex01_hypothesis"
X = torch.tensor([[1.0], [2.0], [3.0]])
W = torch.tensor([2.0])
B = torch.tensor([1.0])
X2 = torch.tensor([[-1.5], [0.0], [2.5], [4.0]])
W2 = torch.tensor([-0.5])
B2 = torch.tensor([3.0])


def _parameters(learner):
    value = learner.call("init_parameters").value
    pair = expect.sequence(value, 2, "init_parameters()")
    return tuple(expect.tensor(t, tr("{name} from {call}", name=name, call="init_parameters()")) for name, t in zip("Wb", pair))


def _hypothesis(learner, x, W, b):
    what = "hypothesis(x, W, b)"
    value = expect.tensor(learner.call("hypothesis", x, W, b).value, what)
    if tuple(value.shape) != tuple(x.shape):
        hint = None
        if tuple(value.shape) == (x.shape[0],):
            hint = tr("With W of shape (1,), x @ W (or torch.matmul) drops the last dimension; "
                      "x * W broadcasts and keeps the shape (n, 1).")
        elif value.dim() == 2 and value.shape[0] == value.shape[1] == x.shape[0]:
            hint = tr("An (n, 1) tensor was combined with an (n,) tensor, and broadcasting made (n, n): "
                      "keep W and b of shape (1,).")
        expect.fail(tr("{what} has shape {got} for x of shape {shape}; it should have the shape of x", what=what,
                       got=tuple(value.shape), shape=tuple(x.shape)), hint=hint)
    return value


def _rows(t):
    return "[" + ", ".join(f"[{v:g}]" for v in t.reshape(-1).tolist()) + "]"


def _random_case(rng, n, dtype):
    x = torch.randn(n, 1, generator=rng, dtype=dtype) * 3
    W, b = torch.randn(2, generator=rng, dtype=dtype).mul(2).split(1)
    return x, W.clone(), b.clone()


@check(points=1)
def test_init_parameters_shape_dtype(learner):
    """init_parameters returns (W, b): two float32 tensors of shape (1,)"""
    for name, tensor in zip("Wb", _parameters(learner)):
        expect.shape(tensor, (1,), tr("{name} from {call}", name=name, call="init_parameters()"))
        expect.dtype(tensor, torch.float32, tr("{name} from {call}", name=name, call="init_parameters()"))


@check(points=1, depends=["init_parameters_shape_dtype"])
def test_init_parameters_zeros(learner):
    """init_parameters starts from W = b = 0"""
    for name, tensor in zip("Wb", _parameters(learner)):
        if torch.count_nonzero(tensor) != 0:
            expect.fail(tr("{name} from init_parameters() is {got}, expected zeros", name=name, got=expect.show(tensor)),
                        hint=tr("Create the parameters with torch.zeros(1, ...): training starts from W = b = 0."))


@check(points=2, depends=["init_parameters_shape_dtype"])
def test_init_parameters_tracked(learner):
    """W and b require grad and are leaf tensors, so autograd fills W.grad and b.grad"""
    for name, tensor in zip("Wb", _parameters(learner)):
        info = meta(tensor)
        if not info.requires_grad:
            expect.fail(tr("{name} from init_parameters() does not require grad, so autograd will never compute its "
                           "gradient", name=name),
                        mistake="parameters_not_tracked")
        if not info.is_leaf:
            expect.fail(tr("{name} from init_parameters() is not a leaf tensor (it is the result of an operation, "
                           "{grad_fn}), so backward() will not store a gradient in {name}.grad", name=name,
                           grad_fn=info.grad_fn),
                        mistake="parameters_not_tracked")


@check(points=1, depends=["init_parameters_shape_dtype"])
def test_init_parameters_independent(learner):
    """W and b are two separate tensors, created anew by every call"""
    got = learner.probe("ex01_parameters_independent", function="init_parameters").value
    if got["same_object"] or got["shared_memory"]:
        expect.fail(tr("init_parameters() returned the same tensor (or the same memory) for W and b, "
                       "so updating one would change the other"), mistake="shared_parameters")
    if got["reused"] or not got["second_is_zero"]:
        expect.fail(tr("a second call of init_parameters() did not return fresh zeros: it handed out the tensors of the "
                       "first call again, after the grader had changed them as a training run would"),
                    hint=tr("Create W and b inside init_parameters() on every call, not once at module level."))


@check(points=1)
def test_hypothesis_shape_dtype(learner):
    """hypothesis returns a float32 tensor with the shape of x"""
    value = _hypothesis(learner, X, W, B)
    expect.dtype(value, torch.float32, "hypothesis(x, W, b)")


@check(points=2, depends=["hypothesis_shape_dtype"])
def test_hypothesis_values(learner, oracle):
    """hypothesis computes x·W + b for every sample"""
    for x, W_, b in ((X, W, B), (X2, W2, B2)):
        value = _hypothesis(learner, x, W_, b)
        expect.close(value, oracle.expected("hypothesis", x, W_, b),
                     f"hypothesis(x={_rows(x)}, W=[{W_.item():g}], b=[{b.item():g}])",
                     variants=oracle.variants("hypothesis", x, W_, b))


@check(points=1, depends=["hypothesis_shape_dtype"])
def test_hypothesis_keeps_float64(learner):
    """hypothesis keeps the dtype of its inputs: float64 in, float64 out"""
    value = _hypothesis(learner, X2.double(), W2.double(), B2.double())
    expect.dtype(value, torch.float64, tr("{call} on float64 inputs", call="hypothesis(x, W, b)"))


@check(points=1, visibility="hidden", depends=["hypothesis_values"],
       taught_by=["hypothesis_values", "hypothesis_keeps_float64"])
def test_hypothesis_random_batches(learner, oracle, rng):
    """hypothesis is right on random batches, in float32 and float64 (float64 stays float64)"""
    for n, dtype in ((1, torch.float32), (17, torch.float32), (8, torch.float64), (50, torch.float64)):
        x, W_, b = _random_case(rng, n, dtype)
        value = _hypothesis(learner, x, W_, b)
        expect.dtype(value, dtype, tr("{call} on {dtype} inputs", call="hypothesis", dtype=dtype))
        expect.close(value, oracle.expected("hypothesis", x, W_, b), "hypothesis(x, W, b)",
                     variants=oracle.variants("hypothesis", x, W_, b))
        expect.close(value, x * W_ + b, "hypothesis(x, W, b)")


def _gradients_reach_parameters(learner, oracle, x, W_, b, compare=True):
    args = [x, W_, b]
    got = learner.probe("gradients", "hypothesis", args, [1, 2], function="hypothesis").value
    if not got["connected"]:
        expect.fail(tr("hypothesis(x, W, b) is not connected to autograd: with W and b requiring grad, "
                       "its result has no grad_fn, so no gradient can reach W and b"), mistake="detached_forward")
    for name, grad in zip("Wb", got["grads"]):
        if grad is None:
            expect.fail(tr("no gradient reached {name}: hypothesis cut {name} off from autograd", name=name),
                        mistake="detached_forward")
    expected = oracle.probe("gradients", "hypothesis", args, [1, 2])
    if not compare:
        return
    for name, grad, want in zip("Wb", got["grads"], expected["grads"]):
        expect.close(grad, want, tr("the gradient reaching {name} from {call}", name=name, call="hypothesis(x, W, b).sum()"))


# flowing gradients need a tensor result of the right shape, not the right values (x·W without b still
# lets a gradient reach W, and the missing gradient of b is named here)
@check(points=2, depends=["hypothesis_shape_dtype"])
def test_hypothesis_gradients_flow(learner, oracle):
    """gradients flow back through hypothesis to W and b"""
    _gradients_reach_parameters(learner, oracle, X, W, B, compare=False)


@check(points=1, visibility="hidden", depends=["hypothesis_gradients_flow", "hypothesis_values"],
       taught_by=["hypothesis_gradients_flow", "hypothesis_values", "hypothesis_keeps_float64"])
def test_hypothesis_gradients_random(learner, oracle, rng):
    """the gradients reaching W and b are right on a random float64 batch"""
    _gradients_reach_parameters(learner, oracle, *_random_case(rng, 12, torch.float64))


@check(points=1, depends=["hypothesis_shape_dtype"])
def test_hypothesis_arguments_unchanged(learner):
    """hypothesis leaves x, W and b unchanged"""
    sent = (X2.clone(), W2.clone(), B2.clone())
    result = learner.call("hypothesis", *sent)
    expect.unchanged(result, sent, ("x", "W", "b"), "hypothesis(x, W, b)")
