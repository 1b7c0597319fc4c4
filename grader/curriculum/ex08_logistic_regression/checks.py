"""Checks for ex08_logistic_regression: sigmoid, binary cross-entropy, the model, its training and predictions.

sigmoid and binary_cross_entropy are compared with PyTorch itself (torch.sigmoid,
F.binary_cross_entropy and their autograd gradients); build_model, train and predict with the
reference, on models the probes build from chosen weights (so a wrong build_model cannot leak
into the train / predict checks). Whole training runs are compared with the reference run from
the same start with rtol=1e-4, atol=1e-5: valid loops may order their float operations
differently (e.g. the learner's own binary_cross_entropy instead of nn.BCELoss).
"""

import torch
import torch.nn.functional as F

from grader.grading import expect
from grader.catalog import metadata
from grader.grading.checking import check
from grader.i18n import tr
from grader.i18n.sources import N_
from grader.sandbox.codec import ModuleSummary

EXERCISE = "ex08_logistic_regression"
FORBIDDEN = metadata.load().get(EXERCISE).forbidden
# per function, as the contract lists them (sigmoid may not use a sigmoid, binary_cross_entropy no BCE)
FORBIDDEN_FOR = {
    "sigmoid": tuple(name for name in FORBIDDEN if not name.startswith("binary_cross_entropy")),
    "binary_cross_entropy": tuple(name for name in FORBIDDEN if name.startswith("binary_cross_entropy")),
}
RUN_RTOL, RUN_ATOL = expect.RUN_RTOL, expect.RUN_ATOL

# The classic data: hours studied -> passed, and the two students asked about afterwards.
HOURS = torch.tensor([[0.0], [1.0], [5.0], [9.0], [11.0], [15.0], [20.0]])
PASSED = torch.tensor([[0.0], [0.0], [0.0], [0.0], [1.0], [1.0], [1.0]])
ASKED = torch.tensor([[2.5], [15.5]])
# F4: after torch.manual_seed(10), build_model(1) and 1001 updates at lr 0.01.
F4_INITIAL = {"weight": -0.0838, "bias": -0.0343}
F4_TRAINED = {"weight": 0.2138, "bias": -1.6024}
F4_PROBABILITIES = (0.2558, 0.8470)
F4_CLASSES = (0.0, 1.0)

# Inputs where float32 exponentials overflow (|z| > ~88.7) next to ordinary ones.
EXTREME_Z = torch.tensor([[-1000.0], [-500.0], [-100.0], [-89.0], [-88.0], [-30.0], [-1.0], [0.0],
                          [1.0], [30.0], [88.0], [89.0], [100.0], [500.0], [1000.0]])
FIXED_Z = (torch.tensor([[-3.0], [-0.5], [0.0], [0.25], [2.0], [7.5]]),
           torch.tensor([[0.3, -1.2, 4.0], [-6.0, 0.0, 1.5]]),
           torch.tensor(-2.0))
FIXED_P = torch.tensor([[0.9], [0.2], [0.65], [0.05], [0.5], [0.3]])
FIXED_Y = torch.tensor([[1.0], [0.0], [1.0], [1.0], [0.0], [0.0]])
# Probabilities at the edges: p = 0 and p = 1 with either label (each log clamped at -100).
EDGE_P = torch.tensor([[0.0], [1.0], [0.0], [1.0], [1e-30], [0.5]])
EDGE_Y = torch.tensor([[0.0], [1.0], [1.0], [0.0], [1.0], [1.0]])


# helpers -------------------------------------------------------------------------------------
def _sigmoid(learner, z):
    result = learner.call("sigmoid", z)
    value = expect.tensor(result.value, "sigmoid(z)")
    expect.shape(value, tuple(z.shape), "sigmoid(z)")
    expect.dtype(value, z.dtype, tr("{call} for a {dtype} z", call="sigmoid(z)", dtype=z.dtype))
    return result, value


def _bce(learner, p, y):
    result = learner.call("binary_cross_entropy", p, y)
    what = "binary_cross_entropy(p, y)"
    value = expect.tensor(result.value, what, mistake_if_float="python_float")
    expect.shape(value, (), what)
    expect.dtype(value, p.dtype, tr("{call} for a {dtype} p", call=what, dtype=p.dtype))
    return result, value


def _connected_gradient(learner, function, args, mistake_if_float=None):
    got = learner.probe("gradients", function, args, [0], function=function).value
    if not got["connected"]:
        expect.fail(tr("{function}() is not connected to autograd, so no gradient reaches its input", function=function),
                    mistake=mistake_if_float if not isinstance(got["value"], torch.Tensor) else "detached_forward")
    return got["grads"][0]


def _start(in_features, rng=None, scale=0.5):
    if rng is None:
        return torch.tensor([[0.1] * in_features]), torch.tensor([-0.2])
    return torch.randn(1, in_features, generator=rng) * scale, torch.randn(1, generator=rng) * scale


def _train_run(learner, x, y, weight, bias, lr, epochs):
    result = learner.probe("ex08_train_run", x, y, weight, bias, lr, epochs, function="train")
    expect.losses(result.value, epochs)
    return result


def _predict(learner, x, weight, bias, **threshold):
    result = learner.probe("ex08_predict_run", x, weight, bias, function="predict", **threshold)
    what = "predict(model, x)"
    value = expect.tensor(result.value, what)
    if tuple(value.shape) != (x.shape[0], 1):
        expect.fail(tr("{what} has shape {got}, expected {expected} (one row per sample)", what=what,
                       got=tuple(value.shape), expected=(x.shape[0], 1)),
                    hint=tr("Keep the model's output shape (n, 1): compare the probabilities with the threshold, don't squeeze."))
    if value.dtype != torch.float32:
        expect.fail(tr("{what} has dtype {got}, expected torch.float32 (0.0 / 1.0)", what=what, got=value.dtype),
                    hint=tr("A comparison gives a bool tensor: turn it into 0.0 / 1.0 with .float() (or .to(p.dtype))."))
    expect.no_grad_tensor(value, what)
    return result, value


# sigmoid -------------------------------------------------------------------------------------
@check(points=1)
def test_sigmoid_matches_pytorch(learner, oracle):
    """sigmoid returns a float32 tensor of the input's shape equal to torch.sigmoid (σ(0) = 0.5)"""
    for z in FIXED_Z:
        _, value = _sigmoid(learner, z)
        expect.close(value, torch.sigmoid(z), "sigmoid(z)", variants=oracle.variants("sigmoid", z))


@check(points=1, depends=["sigmoid_matches_pytorch"])
def test_sigmoid_extreme_inputs(learner, oracle):
    """sigmoid stays finite and right for |z| up to 1000 in float32 (no overflow to NaN)"""
    _, value = _sigmoid(learner, EXTREME_Z)
    variants = oracle.variants("sigmoid", EXTREME_Z)
    mistake = expect.matching_mistake(value, variants)
    expect.finite(value, "sigmoid(z)", mistake or "naive_sigmoid_overflow", tr("for some z between −1000 and 1000"))
    expect.close(value, torch.sigmoid(EXTREME_Z), tr("{call} for z from −1000 to 1000", call="sigmoid(z)"), variants=variants)


# Advice only: the contract asks for finite values up to |z| = 1000, not for a finite gradient there
# (the plain 1 / (1 + torch.exp(-z)) has a NaN gradient at z = -1000 and is a valid answer).
@check(points=0, advisory=True, depends=["sigmoid_matches_pytorch"])
def test_sigmoid_gradient(learner, oracle):
    """sigmoid is differentiable: its gradient is σ(z)(1 − σ(z)) (0.25 at z = 0), finite for |z| up to 1000"""
    z = torch.cat([EXTREME_Z, torch.linspace(-6.0, 6.0, 9).reshape(-1, 1)])
    variants = {m: v["grads"][0] for m, v in oracle.probe_variants("gradients", "sigmoid", [z], [0]).items()}
    grad = _connected_gradient(learner, "sigmoid", [z])
    expect.finite(grad, tr("the gradient of {call}", call="sigmoid(z)"), "naive_sigmoid_overflow", tr("for some z between −1000 and 1000"))
    s = torch.sigmoid(z)
    expect.close(grad, s * (1 - s), tr("the gradient of {call}", call="sigmoid(z)"), variants=variants)


# binary cross-entropy ------------------------------------------------------------------------
@check(points=1)
def test_bce_matches_pytorch(learner, oracle):
    """binary_cross_entropy returns a 0-dim float32 tensor equal to F.binary_cross_entropy"""
    for p, y in ((FIXED_P, FIXED_Y), (FIXED_P[:1], FIXED_Y[:1])):
        _, value = _bce(learner, p, y)
        expect.close(value, F.binary_cross_entropy(p, y), "binary_cross_entropy(p, y)",
                     variants=oracle.variants("binary_cross_entropy", p, y))


@check(points=1, depends=["bce_matches_pytorch"])
def test_bce_extreme_probabilities(learner, oracle):
    """binary_cross_entropy is finite for p = 0 and p = 1, each log clamped at −100 like PyTorch"""
    _, value = _bce(learner, EDGE_P, EDGE_Y)
    variants = oracle.variants("binary_cross_entropy", EDGE_P, EDGE_Y)
    mistake = expect.matching_mistake(value, variants)
    expect.finite(value, "binary_cross_entropy(p, y)", mistake or "bce_log_not_clamped",
                    "when some probabilities are exactly 0 or 1")
    expect.close(value, F.binary_cross_entropy(EDGE_P, EDGE_Y), tr("{call} with p = 0 and p = 1", call="binary_cross_entropy(p, y)"),
                 variants=variants)


@check(points=1, depends=["bce_matches_pytorch"])
def test_bce_keeps_float64(learner):
    """binary_cross_entropy keeps the dtype of its inputs: float64 p and y give a float64 cost"""
    _bce(learner, FIXED_P.double(), FIXED_Y.double())


@check(points=1, depends=["sigmoid_matches_pytorch"])
def test_sigmoid_keeps_float64(learner):
    """sigmoid keeps the dtype of its input: a float64 z gives float64 probabilities"""
    _sigmoid(learner, FIXED_Z[0].double())


# Advice only: the contract does not ask binary_cross_entropy to be differentiable (training uses nn.BCELoss).
@check(points=0, advisory=True, depends=["bce_matches_pytorch"])
def test_bce_gradient(learner, rng):
    """binary_cross_entropy is differentiable: its gradient with respect to p matches PyTorch's"""
    p = torch.rand(12, 1, generator=rng) * 0.9 + 0.05
    y = (torch.rand(12, 1, generator=rng) > 0.5).float()
    grad = _connected_gradient(learner, "binary_cross_entropy", [p, y], mistake_if_float="python_float")
    q = p.clone().requires_grad_(True)
    F.binary_cross_entropy(q, y).backward()
    expect.close(grad, q.grad, tr("the gradient of {call} with respect to {name}", call="binary_cross_entropy", name="p"))


@check(points=1, visibility="hidden", depends=["sigmoid_matches_pytorch", "bce_matches_pytorch"],
       taught_by=["sigmoid_matches_pytorch", "bce_matches_pytorch", "sigmoid_keeps_float64", "bce_keeps_float64"])
def test_float64_and_random_inputs(learner, oracle, rng):
    """sigmoid and binary_cross_entropy are right on random inputs and keep float64"""
    for dtype in (torch.float64, torch.float32):
        z = torch.randn(5, 3, generator=rng, dtype=dtype) * 6
        _, value = _sigmoid(learner, z)
        expect.close(value, torch.sigmoid(z), "sigmoid(z)", variants=oracle.variants("sigmoid", z))
        p = torch.rand(20, 1, generator=rng, dtype=dtype) * 0.98 + 0.01
        y = (torch.rand(20, 1, generator=rng) > 0.5).to(dtype)
        _, value = _bce(learner, p, y)
        expect.close(value, F.binary_cross_entropy(p, y), "binary_cross_entropy(p, y)",
                     variants=oracle.variants("binary_cross_entropy", p, y))


# the model -----------------------------------------------------------------------------------
@check(points=1)
def test_build_model_layers(learner):
    """build_model(in_features) is nn.Sequential(nn.Linear(in_features, 1), nn.Sigmoid())"""
    for in_features in (1, 3):
        model = learner.call("build_model", in_features).value
        what = f"build_model({in_features})"
        if not isinstance(model, ModuleSummary) or model.type_name != "Sequential":
            expect.fail(tr("{what} returned {got}, not an nn.Sequential", what=what, got=expect.describe(model)),
                        hint=tr("Return nn.Sequential(nn.Linear(in_features, 1), nn.Sigmoid())."))
        layers = model.layer_types()
        if layers != ["Linear", "Sigmoid"]:
            expect.fail(tr("{what} has the layers {layers}; expected ['Linear', 'Sigmoid'] in that order", what=what,
                           layers=layers),
                        hint=tr("The linear layer computes z = xW + b, then nn.Sigmoid() turns z into a probability: "
                                "exactly these two layers, in this order."))
        shapes = [tuple(p.shape) for p in model.parameters.values()]
        if shapes != [(1, in_features), (1,)]:
            expect.fail(tr("{what} has parameters of shapes {shapes}; expected [(1, {in_features}), (1,)]", what=what,
                           shapes=shapes, in_features=in_features),
                        hint=tr("nn.Linear(in_features, 1): in_features inputs, one output (the logit)."))


@check(points=1, depends=["build_model_layers"])
def test_build_model_seeded(learner, oracle):
    """after torch.manual_seed(10), build_model(1) starts at the classic weight −0.0838 and bias −0.0343"""
    got = learner.probe("ex08_seeded_model", 10, 1, function="build_model").value
    expected = oracle.probe("ex08_seeded_model", 10, 1)
    if not expect.similar(got, expected):
        if isinstance(got, list) and len(got) == 2 and all(p.numel() == 1 for p in got):
            shown = f"weight {float(got[0]):.4f}, bias {float(got[1]):.4f}"
        else:
            shown = "parameters " + ", ".join(expect.show(p) for p in got) if isinstance(got, list) else expect.describe(got)
        expect.fail(tr("after torch.manual_seed(10), build_model(1) starts at {shown}; expected weight "
                       "{weight}, bias {bias}", shown=shown, weight=F4_INITIAL["weight"], bias=F4_INITIAL["bias"]),
                    hint=tr("Create nn.Linear first and draw nothing else from the random generator in build_model "
                            "(no torch.manual_seed inside it: the caller seeds)."))


# train ---------------------------------------------------------------------------------------
@check(points=1)
def test_train_returns_losses(learner):
    """train returns a list of `epochs` losses as Python floats, one per update"""
    weight, bias = _start(1)
    _train_run(learner, HOURS, PASSED, weight, bias, 0.01, 5)


@check(points=2, depends=["train_returns_losses"])
def test_train_follows_reference(learner, oracle):
    """train makes `epochs` SGD updates with BCELoss, each loss recorded before its update, like the reference"""
    weight, bias = _start(1)
    args = (HOURS, PASSED, weight, bias, 0.01, 12)
    got = _train_run(learner, *args).value
    expect.same_run(got, oracle.probe("ex08_train_run", *args), oracle.probe_variants("ex08_train_run", *args),
                 "train(model, hours, passed, lr=0.01, epochs=12)", "train(model, x, y, lr, epochs)")


@check(points=1, visibility="hidden", depends=["train_follows_reference"], taught_by=["train_follows_reference"])
def test_train_random_data(learner, oracle, rng):
    """train follows the reference run on random data with three features"""
    x = torch.randn(24, 3, generator=rng) * 2
    y = (x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3 * torch.randn(24, 1, generator=rng) > 0).float()
    weight, bias = _start(3, rng)
    args = (x, y, weight, bias, 0.1, 60)
    got = _train_run(learner, *args).value
    expect.same_run(got, oracle.probe("ex08_train_run", *args), lambda: oracle.probe_variants("ex08_train_run", *args),
                 "train(model, x, y, lr=0.1, epochs=60)", "train(model, x, y, lr, epochs)")


# predict -------------------------------------------------------------------------------------
@check(points=1)
def test_predict_classes(learner, oracle):
    """predict returns a float (n, 1) tensor of 0.0 / 1.0 without autograd history, 1.0 where p ≥ 0.5"""
    # weight 1, bias -2: x = 2 gives z = 0, so p = 0.5 exactly, which counts as class 1.
    x = torch.tensor([[0.0], [1.9], [2.0], [2.1], [5.0]])
    weight, bias = torch.tensor([[1.0]]), torch.tensor([-2.0])
    _, value = _predict(learner, x, weight, bias)
    expect.close(value, oracle.probe("ex08_predict_run", x, weight, bias), tr("{call} for p = 0.12, 0.48, 0.5, 0.52, 0.95", call="predict(model, x)"),
                 variants=oracle.probe_variants("ex08_predict_run", x, weight, bias))


@check(points=1, depends=["predict_classes"])
def test_predict_threshold_argument(learner, oracle):
    """predict(model, x, threshold) uses its threshold: with threshold=0.8, p = 0.52 gives 0.0 and p = 0.95 gives 1.0"""
    x = torch.tensor([[0.0], [1.9], [2.0], [2.1], [5.0]])
    weight, bias = torch.tensor([[1.0]]), torch.tensor([-2.0])
    _, value = _predict(learner, x, weight, bias, threshold=0.8)
    expect.close(value, oracle.probe("ex08_predict_run", x, weight, bias, threshold=0.8),
                 "predict(model, x, threshold=0.8) for p = 0.12, 0.48, 0.5, 0.52, 0.95",
                 variants=oracle.probe_variants("ex08_predict_run", x, weight, bias, threshold=0.8))


@check(points=1, visibility="hidden", depends=["predict_classes"],
       taught_by=["predict_classes", "predict_threshold_argument"])
def test_predict_threshold(learner, oracle, rng):
    """predict honours its threshold argument (p ≥ threshold gives 1.0)"""
    x = torch.randn(16, 2, generator=rng) * 2
    weight, bias = _start(2, rng, scale=1.0)
    for threshold in ({"threshold": 0.8}, {"threshold": 0.3}, {"threshold_row": 3}):
        _, value = _predict(learner, x, weight, bias, **threshold)
        expected = oracle.probe("ex08_predict_run", x, weight, bias, **threshold)
        if not expect.similar(value, expected):
            expect.close(value, expected, "predict(model, x, threshold)",
                         variants=oracle.probe_variants("ex08_predict_run", x, weight, bias, **threshold))


# the classic figures -------------------------------------------------------------------------
@check(points=2, depends=["build_model_seeded", "train_follows_reference", "predict_classes"])
def test_classic_figures(learner):
    """the classic run reproduces its figures: weight 0.2138, bias −1.6024, p = 0.2558 / 0.8470 for 2.5 / 15.5 hours"""
    got = learner.probe("ex08_seed_figures", HOURS, PASSED, ASKED, 10, 0.01, 1001, function="train").value
    weight, bias = (float(p.reshape(-1)[0]) for p in got["parameters"])
    probabilities = [float(v) for v in got["probabilities"].reshape(-1)]
    classes = expect.tensor(got["classes"], "predict(model, [[2.5], [15.5]])").reshape(-1).tolist()
    run = N_("after torch.manual_seed(10), build_model(1) and train(model, hours, passed, lr=0.01, epochs=1001)")
    for name, value, figure in ((N_("the weight"), weight, F4_TRAINED["weight"]),
                                (N_("the bias"), bias, F4_TRAINED["bias"]),
                                (N_("the probability for 2.5 hours"), probabilities[0], F4_PROBABILITIES[0]),
                                (N_("the probability for 15.5 hours"), probabilities[1], F4_PROBABILITIES[1])):
        if abs(value - figure) > 1e-4:
            expect.fail(tr("{run}, {name} is {value:.4f}; the classic figure is {figure:.4f}", run=run, name=name,
                           value=value, figure=figure))
    if tuple(classes) != F4_CLASSES:
        expect.fail(tr("{run}, predict gives classes {classes} for 2.5 and 15.5 hours; expected [0.0, 1.0]", run=run,
                       classes=classes))


# conventions ---------------------------------------------------------------------------------
@check(points=1, depends=["sigmoid_matches_pytorch", "bce_matches_pytorch", "train_returns_losses", "predict_classes"])
def test_arguments_unchanged(learner):
    """sigmoid, binary_cross_entropy, train and predict leave their tensor arguments unchanged"""
    z = EXTREME_Z.clone()
    expect.unchanged(learner.call("sigmoid", z), (z,), ("z",), "sigmoid(z)")
    p, y = EDGE_P.clone(), EDGE_Y.clone()
    expect.unchanged(learner.call("binary_cross_entropy", p, y), (p, y), ("p", "y"), "binary_cross_entropy(p, y)")
    weight, bias = _start(1)
    result = learner.probe("ex08_train_run", HOURS, PASSED, weight, bias, 0.01, 3, function="train")
    expect.unchanged(result, (HOURS, PASSED), ("x", "y"), "train(model, x, y, lr, epochs)")
    x = HOURS.clone()
    expect.unchanged(learner.probe("ex08_predict_run", x, weight, bias, function="predict"), (x,), ("x",),
                     "predict(model, x)")


@check(points=1, depends=["sigmoid_matches_pytorch", "bce_matches_pytorch"])
def test_no_library_sigmoid_or_bce(learner):
    """sigmoid and binary_cross_entropy compute their results themselves (no torch.sigmoid / F.binary_cross_entropy)"""
    expect.not_forbidden(learner.call("sigmoid", FIXED_Z[1]), FORBIDDEN_FOR["sigmoid"], "sigmoid()")
    expect.not_forbidden(learner.call("binary_cross_entropy", FIXED_P, FIXED_Y), FORBIDDEN_FOR["binary_cross_entropy"],
                         "binary_cross_entropy()")
