"""Checks for ex09_softmax_classifier: softmax, cross-entropy, the model, its training and predictions.

softmax and cross_entropy are compared with PyTorch itself (torch.softmax, F.cross_entropy and
their autograd gradients); build_model, train, predict_proba, predict and accuracy with the
reference, on models the probes build from chosen weights (so a wrong build_model cannot leak
into the other checks). Whole training runs are compared with the reference run from the same
start with rtol=1e-4, atol=1e-5: valid loops may order their float operations differently.
"""

import torch
import torch.nn.functional as F

from grader.grading import expect
from grader.catalog import metadata
from grader.grading.checking import check
from grader.i18n import tr
from grader.sandbox.codec import ForeignObject, ModuleSummary

EXERCISE = "ex09_softmax_classifier"
# Per function: cross_entropy may use a softmax (the module's own, or torch's), softmax nothing on the list.
_FORBIDDEN = metadata.load().get(EXERCISE).forbidden
FORBIDDEN = {  # as the contract lists them per function
    "softmax": tuple(name for name in _FORBIDDEN if name in ("softmax", "log_softmax")),
    "cross_entropy": tuple(name for name in _FORBIDDEN if name != "softmax"),
}
FORBIDDEN_FOR = FORBIDDEN
RUN_RTOL, RUN_ATOL = expect.RUN_RTOL, expect.RUN_ATOL

# The classic 8×4 data with three classes, and the sample the classic example asks about (F5).
X_TRAIN = torch.tensor([[1.0, 2, 1, 1], [2, 1, 3, 2], [3, 1, 3, 4], [4, 1, 5, 5],
                        [1, 7, 5, 5], [1, 2, 5, 6], [1, 6, 6, 6], [1, 7, 7, 7]])
Y_TRAIN = torch.tensor([0, 0, 0, 1, 1, 1, 2, 2])
ASKED = torch.tensor([[1.0, 2, 5, 6]])
START = (torch.tensor([[0.1, -0.2, 0.05, 0.3], [-0.1, 0.15, 0.2, -0.25], [0.2, 0.1, -0.3, 0.05]]),
         torch.tensor([0.1, -0.1, 0.0]))

Z_43 = torch.tensor([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0], [0.2, 0.2, 0.2], [4.0, -2.0, 1.0]])
Z_33 = torch.tensor([[2.0, 1.0, 0.1], [0.0, -1.5, 2.5], [1.0, 3.0, -0.5]])  # square: a missing keepdim shows
Z_3D = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4).sin() * 3
# Logits where float32 exponentials overflow (> 88.7) or all underflow (< -103) in a row.
Z_EXTREME = torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -999.0], [999.0, 1000.0, 998.0],
                          [0.0, 0.0, 0.0]])
TARGETS_4 = torch.tensor([2, 0, 1, 1])
LOGITS = torch.tensor([[1.5, -0.3, 0.2], [0.1, 2.0, -1.0], [-0.5, 0.4, 0.9], [3.0, 0.0, -2.0], [0.0, 0.0, 0.0]])
TARGETS = torch.tensor([0, 2, 2, 1, 0])


# helpers -------------------------------------------------------------------------------------
def _softmax(learner, z, *dim):
    result = learner.call("softmax", z, *dim)
    what = f"softmax(z{', dim=' + str(dim[0]) if dim else ''})"
    value = expect.tensor(result.value, what)
    expect.shape(value, tuple(z.shape), what)
    expect.dtype(value, z.dtype, tr("{call} for a {dtype} z", call=what, dtype=z.dtype))
    return result, value, what


def _cross_entropy(learner, logits, targets):
    result = learner.call("cross_entropy", logits, targets)
    what = "cross_entropy(logits, targets)"
    value = expect.tensor(result.value, what, mistake_if_float="python_float")
    expect.shape(value, (), what)
    expect.dtype(value, logits.dtype, tr("{call} for {dtype} logits", call=what, dtype=logits.dtype))
    return result, value


def _train_run(learner, x, y, weight, bias, lr, epochs):
    result = learner.probe("ex09_train_run", x, y, weight, bias, lr, epochs, function="train")
    expect.losses(result.value, epochs)
    return result


def _model_output(learner, function, x, weight, bias):
    return learner.probe("ex09_model_output", function, x, weight, bias, function=function)


def _proba(learner, x, weight, bias):
    result = _model_output(learner, "predict_proba", x, weight, bias)
    what = "predict_proba(model, x)"
    value = expect.tensor(result.value, what)
    expect.shape(value, (x.shape[0], weight.shape[0]), what)
    expect.dtype(value, torch.float32, what)
    expect.no_grad_tensor(value, what)
    return result, value


def _predict(learner, x, weight, bias):
    result = _model_output(learner, "predict", x, weight, bias)
    what = "predict(model, x)"
    value = expect.tensor(result.value, what)
    n, k = x.shape[0], weight.shape[0]
    if tuple(value.shape) != (n,):
        wrong_dim = tuple(value.shape) in {(), (k,), (1, k), (k, 1)} and n != k
        expect.fail(tr("{what} has shape {got}, expected ({n},): one class index per sample", what=what,
                       got=tuple(value.shape), n=n),
                    mistake="argmax_wrong_dim" if wrong_dim else None,
                    hint=None if wrong_dim else tr("Return one class index per row: model(x).argmax(dim=1) has shape (n,)."))
    if value.dtype != torch.int64:
        expect.fail(tr("{what} has dtype {got}, expected torch.int64 class indices", what=what, got=value.dtype),
                    hint=tr("argmax returns int64 indices: return them as they are (not the probabilities, not floats)."))
    return result, value


# softmax -------------------------------------------------------------------------------------
@check(points=1)
def test_softmax_matches_pytorch(learner, oracle):
    """softmax returns a tensor of the input's shape and dtype equal to torch.softmax along the last dim"""
    # the square one first: without keepdim it still runs (and gives wrong values), so the mistake can be named
    for z, dim in ((Z_33, ()), (Z_43, ()), (Z_43, (1,)), (Z_33, (-1,)), (torch.tensor([0.5, -1.0, 2.0, 0.0]), ())):
        _, value, what = _softmax(learner, z, *dim)
        expect.close(value, torch.softmax(z, dim[0] if dim else -1), what, variants=oracle.variants("softmax", z, *dim))


@check(points=1, depends=["softmax_matches_pytorch"])
def test_softmax_any_dim(learner, oracle):
    """softmax works along any dim (dim=0, and every dim of a 3-D tensor): the slices along dim sum to 1"""
    for z, dim in ((Z_43, 0), (Z_3D, 0), (Z_3D, 1), (Z_3D, 2), (Z_3D, -2)):
        _, value, what = _softmax(learner, z, dim)
        expect.close(value, torch.softmax(z, dim), tr("{call} for z of shape {shape}", call=what, shape=tuple(z.shape)),
                     variants=oracle.variants("softmax", z, dim))


@check(points=1, depends=["softmax_matches_pytorch"])
def test_softmax_extreme_logits(learner, oracle):
    """softmax stays finite and right for logits of ±1000 in float32 (no overflow to NaN)"""
    _, value, what = _softmax(learner, Z_EXTREME, 1)
    variants = oracle.variants("softmax", Z_EXTREME, 1)
    mistake = expect.matching_mistake(value, variants)
    expect.finite(value, what, mistake or "naive_softmax_overflow", tr("for rows of logits like [1000, 0, −1000]"))
    expect.close(value, torch.softmax(Z_EXTREME, 1), tr("{call} for logits of ±1000", call=what), variants=variants)


@check(points=1, depends=["softmax_matches_pytorch"])
def test_softmax_keeps_float64(learner):
    """softmax keeps the dtype of its input: float64 logits give float64 probabilities"""
    _softmax(learner, Z_43.double(), 1)


# Advice only: the contract does not ask softmax to be differentiable (training uses nn.CrossEntropyLoss).
@check(points=0, advisory=True, depends=["softmax_matches_pytorch"])
def test_softmax_gradient(learner, rng):
    """softmax is differentiable: its gradient matches PyTorch's"""
    for shape, dim in (((5, 4), 1), ((3, 6), 0)):
        z = torch.randn(*shape, generator=rng) * 3
        weights = torch.randn(*shape, generator=rng)
        got = learner.probe("ex09_softmax_gradient", z, dim, weights, function="softmax").value
        if not got["connected"]:
            expect.fail(tr("softmax(z, dim) is not connected to autograd, so no gradient reaches z"),
                        mistake="detached_forward")
        q = z.clone().requires_grad_(True)
        (torch.softmax(q, dim) * weights).sum().backward()
        expect.close(got["grad"], q.grad, tr("the gradient of {call}", call="softmax(z, dim)"))


# cross-entropy -------------------------------------------------------------------------------
@check(points=1)
def test_cross_entropy_matches_pytorch(learner, oracle):
    """cross_entropy returns a 0-dim float32 tensor equal to F.cross_entropy"""
    for logits, targets in ((LOGITS, TARGETS), (LOGITS[1:2], TARGETS[1:2])):
        _, value = _cross_entropy(learner, logits, targets)
        expect.close(value, F.cross_entropy(logits, targets), "cross_entropy(logits, targets)",
                     variants=oracle.variants("cross_entropy", logits, targets))


@check(points=1, depends=["cross_entropy_matches_pytorch"])
def test_cross_entropy_extreme_logits(learner, oracle):
    """cross_entropy stays finite and right for logits of ±1000 in float32"""
    _, value = _cross_entropy(learner, Z_EXTREME, TARGETS_4)
    variants = oracle.variants("cross_entropy", Z_EXTREME, TARGETS_4)
    mistake = expect.matching_mistake(value, variants)
    expect.finite(value, "cross_entropy(logits, targets)", mistake or "log_of_softmax", tr("for logits of ±1000"))
    expect.close(value, F.cross_entropy(Z_EXTREME, TARGETS_4), tr("{call} for logits of ±1000", call="cross_entropy(logits, targets)"),
                 variants=variants)


@check(points=1, depends=["cross_entropy_matches_pytorch"])
def test_cross_entropy_keeps_float64(learner):
    """cross_entropy keeps the dtype of the logits: float64 logits give a float64 cost"""
    _cross_entropy(learner, LOGITS.double(), TARGETS)


# Advice only: the contract does not ask cross_entropy to be differentiable (training uses nn.CrossEntropyLoss).
@check(points=0, advisory=True, depends=["cross_entropy_matches_pytorch"])
def test_cross_entropy_gradient(learner, rng):
    """cross_entropy is differentiable: its gradient with respect to the logits matches PyTorch's"""
    logits = torch.randn(7, 4, generator=rng) * 2
    targets = torch.randint(0, 4, (7,), generator=rng)
    got = learner.probe("gradients", "cross_entropy", [logits, targets], [0], function="cross_entropy").value
    if not got["connected"]:
        expect.fail(tr("cross_entropy() is not connected to autograd, so no gradient reaches the logits"),
                    mistake="python_float" if not isinstance(got["value"], torch.Tensor) else "detached_forward")
    q = logits.clone().requires_grad_(True)
    F.cross_entropy(q, targets).backward()
    expect.close(got["grads"][0], q.grad, tr("the gradient of {call} with respect to the {name}", call="cross_entropy", name="logits"))


@check(points=1, visibility="hidden", depends=["softmax_any_dim", "cross_entropy_matches_pytorch"],
       taught_by=["softmax_any_dim", "cross_entropy_matches_pytorch", "softmax_keeps_float64",
                  "cross_entropy_keeps_float64"])
def test_float64_and_random_inputs(learner, oracle, rng):
    """softmax and cross_entropy are right on random inputs and keep float64"""
    for dtype in (torch.float64, torch.float32):
        z = torch.randn(6, 5, generator=rng, dtype=dtype) * 4
        dim = int(torch.randint(0, 2, (), generator=rng))
        _, value, what = _softmax(learner, z, dim)
        expect.close(value, torch.softmax(z, dim), what, variants=oracle.variants("softmax", z, dim))
        targets = torch.randint(0, 5, (6,), generator=rng)
        _, value = _cross_entropy(learner, z, targets)
        expect.close(value, F.cross_entropy(z, targets), "cross_entropy(logits, targets)",
                     variants=oracle.variants("cross_entropy", z, targets))


# the model and its training ------------------------------------------------------------------
@check(points=1)
def test_build_model_layers(learner):
    """build_model(in_features, num_classes) is nn.Sequential(nn.Linear(in_features, num_classes)), no softmax"""
    for in_features, classes in ((4, 3), (2, 5)):
        model = learner.call("build_model", in_features, classes).value
        what = f"build_model({in_features}, {classes})"
        if not isinstance(model, ModuleSummary) or model.type_name != "Sequential":
            expect.fail(tr("{what} returned {got}, not an nn.Sequential", what=what, got=expect.describe(model)),
                        hint=tr("Return nn.Sequential(nn.Linear(in_features, num_classes))."))
        layers = model.layer_types()
        if layers != ["Linear"]:
            softmax = any("Softmax" in layer for layer in layers)
            expect.fail(tr("{what} has the layers {layers}; expected exactly one: ['Linear']", what=what, layers=layers),
                        mistake="softmax_before_cross_entropy" if softmax else None,
                        hint=None if softmax else tr("One nn.Linear(in_features, num_classes) that outputs the logits."))
        shapes = [tuple(p.shape) for p in model.parameters.values()]
        if shapes != [(classes, in_features), (classes,)]:
            expect.fail(tr("{what} has parameters of shapes {shapes}; expected [({classes}, {in_features}), ({classes},)]",
                           what=what, shapes=shapes, classes=classes, in_features=in_features),
                        hint=tr("nn.Linear(in_features, num_classes): one logit per class."))


@check(points=1)
def test_train_returns_losses(learner):
    """train returns a list of `epochs` losses as Python floats, one per update"""
    _train_run(learner, X_TRAIN, Y_TRAIN, *START, 0.1, 5)


@check(points=2, depends=["train_returns_losses"])
def test_train_follows_reference(learner, oracle):
    """train makes `epochs` SGD updates with CrossEntropyLoss on the logits, each loss recorded before its update"""
    args = (X_TRAIN, Y_TRAIN, *START, 0.1, 12)
    got = _train_run(learner, *args).value
    expect.same_run(got, oracle.probe("ex09_train_run", *args), oracle.probe_variants("ex09_train_run", *args),
                 "train(model, x_train, y_train, lr=0.1, epochs=12)", "train(model, x, y, lr, epochs)")


@check(points=2, visibility="hidden", depends=["train_follows_reference"], taught_by=["train_follows_reference"])
def test_train_random_data(learner, oracle, rng):
    """train follows the reference run on random data with five features and four classes"""
    x = torch.randn(30, 5, generator=rng) * 2
    y = torch.randint(0, 4, (30,), generator=rng)
    weight, bias = torch.randn(4, 5, generator=rng) * 0.3, torch.randn(4, generator=rng) * 0.3
    args = (x, y, weight, bias, 0.05, 40)
    got = _train_run(learner, *args).value
    expect.same_run(got, oracle.probe("ex09_train_run", *args), lambda: oracle.probe_variants("ex09_train_run", *args),
                 "train(model, x, y, lr=0.05, epochs=40)", "train(model, x, y, lr, epochs)")


# predictions ---------------------------------------------------------------------------------
@check(points=1)
def test_predict_proba(learner, oracle):
    """predict_proba returns (n, num_classes) probabilities, rows summing to 1, without autograd history"""
    _, value = _proba(learner, X_TRAIN, *START)
    variants = oracle.probe_variants("ex09_model_output", "predict_proba", X_TRAIN, *START)
    sums = value.sum(dim=1)
    if not torch.allclose(sums, torch.ones_like(sums), atol=1e-5):
        expect.fail(tr("the rows of predict_proba(model, x) sum to {sums}, not to 1", sums=expect.show(sums)),
                    mistake=expect.matching_mistake(value, variants) or "softmax_wrong_dim")
    expect.close(value, oracle.probe("ex09_model_output", "predict_proba", X_TRAIN, *START), "predict_proba(model, x)",
                 variants=variants)


@check(points=1)
def test_predict(learner, oracle):
    """predict returns int64 class indices of shape (n,): the arg-max over the classes of each row"""
    for x in (X_TRAIN, X_TRAIN[[0, 4, 7]]):
        expected = oracle.probe("ex09_model_output", "predict", x, *START)
        _, value = _predict(learner, x, *START)
        expect.close(value, expected, tr("{call} for {count} samples", call="predict(model, x)", count=x.shape[0]),
                     variants=oracle.probe_variants("ex09_model_output", "predict", x, *START))


@check(points=1)
def test_accuracy(learner, oracle):
    """accuracy returns the fraction of correct predictions as a Python float in [0, 1] (7 of 10 → 0.7)"""
    targets = torch.tensor([0, 1, 2, 1, 0, 2, 2, 1, 0, 1])
    for predictions in (torch.tensor([0, 1, 2, 1, 0, 2, 0, 0, 1, 1]), targets.clone(), (targets + 1) % 3):
        value = learner.call("accuracy", predictions, targets).value
        what = "accuracy(predictions, targets)"
        if isinstance(value, torch.Tensor):
            expect.fail(tr("{what} returned a tensor; expected a Python float", what=what),
                        hint=tr("Turn the 0-dim result into a Python number with .item()."))
        number = value.number if isinstance(value, ForeignObject) else value
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            expect.fail(tr("{what} returned {got}; expected a Python float", what=what, got=expect.describe(value)),
                        hint=tr("Return a float."))
        expect.close(float(number), oracle.expected("accuracy", predictions, targets), what,
                     variants=oracle.variants("accuracy", predictions, targets))
        if not isinstance(number, float):
            expect.fail(tr("{what} returned the int {number}; expected a float", what=what, number=number),
                        hint=tr("Divide with / (true division) and return a float."))


@check(points=1, visibility="hidden", depends=["build_model_layers", "train_follows_reference", "predict"],
       taught_by=["build_model_layers", "train_follows_reference", "predict"])
def test_classic_prediction(learner, rng):
    """the classic run (seeded build_model, 1000 updates at lr 0.1) predicts class 1 for [[1, 2, 5, 6]]"""
    seeds = [1] + sorted(int(s) for s in torch.randperm(48, generator=rng)[:2] + 2)
    got = learner.probe("ex09_seed_predictions", X_TRAIN, Y_TRAIN, ASKED, seeds, 0.1, 1000, function="train").value
    for seed, predicted in zip(seeds, got):
        predicted = expect.tensor(predicted, "predict(model, [[1, 2, 5, 6]])")
        if predicted.reshape(-1).tolist() != [1]:
            expect.fail(tr("after torch.manual_seed({seed}), build_model(4, 3) and train(model, x_train, y_train, lr=0.1, "
                           "epochs=1000), predict gives {predicted} for [[1, 2, 5, 6]]; expected [1]", seed=seed,
                           predicted=predicted.reshape(-1).tolist()),
                        safe_message=tr("after a seeded build_model(4, 3) and 1000 updates at lr 0.1, predict does not give "
                                        "class 1 for [[1, 2, 5, 6]]"))


# conventions ---------------------------------------------------------------------------------
@check(points=1, depends=["softmax_matches_pytorch", "cross_entropy_matches_pytorch", "train_returns_losses",
                          "predict_proba"])
def test_arguments_unchanged(learner):
    """softmax, cross_entropy, train and predict_proba leave their tensor arguments unchanged"""
    z = Z_EXTREME.clone()
    expect.unchanged(learner.call("softmax", z, 1), (z,), ("z",), "softmax(z, dim)")
    logits, targets = Z_EXTREME.clone(), TARGETS_4.clone()
    expect.unchanged(learner.call("cross_entropy", logits, targets), (logits, targets), ("logits", "targets"),
                     "cross_entropy(logits, targets)")
    result = learner.probe("ex09_train_run", X_TRAIN, Y_TRAIN, *START, 0.1, 3, function="train")
    expect.unchanged(result, (X_TRAIN, Y_TRAIN), ("x", "y"), "train(model, x, y, lr, epochs)")
    expect.unchanged(_model_output(learner, "predict_proba", X_TRAIN, *START), ("predict_proba", X_TRAIN), ("", "x"),
                     "predict_proba(model, x)")


@check(points=1, depends=["softmax_matches_pytorch", "cross_entropy_matches_pytorch"])
def test_no_library_softmax_or_cross_entropy(learner):
    """softmax and cross_entropy compute their results themselves (no torch.softmax / F.cross_entropy / log_softmax)"""
    expect.not_forbidden(learner.call("softmax", Z_43, 1), FORBIDDEN["softmax"], "softmax()")
    expect.not_forbidden(learner.call("cross_entropy", LOGITS, TARGETS), FORBIDDEN["cross_entropy"], "cross_entropy()")
