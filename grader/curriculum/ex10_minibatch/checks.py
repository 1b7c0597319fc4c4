"""Checks for ex10_minibatch: DataLoader batches, updates per epoch, a mini-batch training loop.

Loaders, models and optimizers stay in the worker: probes return the batches a loader yields,
the gradients every `optimizer.step()` saw and the losses `train` returned, and the checks
compare them with the reference run (same seed, same dtype). Training-run tolerance:
rtol=1e-4, atol=1e-5 (valid operation orders differ by float rounding only).

Public checks ask the oracle for the known-mistake variants up front, even when the learner's
result is right: a student release replays only the answers a passing run asked for.
"""

from types import SimpleNamespace

import torch
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

from grader.grading import expect
from grader.grading.checking import check
from grader.i18n import tr
from grader.probes import PROBES
from grader.curriculum.ex10_minibatch.probes import id_rows

EXERCISE = "ex10_minibatch"
RTOL, ATOL = 1e-4, 1e-5

# 10 rows in batches of 3: three full batches and a short one of 1 (the n = 10, B = 3 example).
X10, Y10 = id_rows(10)
SHORT_LAST = dict(n=10, features=2, outputs=1, batch_size=3, epochs=3, optimizer="sgd", lr=0.05, loss="mse", seed=3)
UPDATES_EXAMPLES = [
    (10, 3, None), (10, 3, True), (10, 3, False), (9, 3, None), (9, 3, True),
    (12, 12, None), (12, 1, None), (5, 8, None), (5, 8, True),
]


def _describe_row(row) -> str:
    n, batch_size, drop_last = row
    return f"updates_per_epoch({n}, {batch_size}" + ("" if drop_last is None else f", drop_last={drop_last}") + ")"


def _cached(oracle, key: str, compute):
    """An oracle answer computed once per grading run (kept on the run's oracle object)."""
    cache = oracle.__dict__.setdefault("_kit_ex10_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _short_last_reference(oracle) -> tuple[dict, dict]:
    """The reference run of SHORT_LAST and its known-mistake variants."""
    return (_cached(oracle, "run", lambda: oracle.probe("ex10_train_run", SHORT_LAST)),
            _cached(oracle, "variants", lambda: oracle.probe_variants("ex10_train_run", SHORT_LAST)))


def _only(variants: dict, *keys: str) -> dict:
    """Restrict each variant's probe result to `keys` (what the check compares)."""
    return {name: {k: value[k] for k in keys} for name, value in variants.items() if isinstance(value, dict)}


# ---------------------------------------------------------------------------------------------
# make_loader


def _loader_batches(learner, *args, **kwargs):
    result = learner.probe("ex10_loader_batches", *args, function="make_loader", **kwargs)
    got = result.value
    if not got["is_dataloader"]:
        expect.fail(tr("make_loader returned a {type}, not a torch.utils.data.DataLoader", type=got["type"]),
                    hint=tr("Return DataLoader(TensorDataset(x, y), batch_size=batch_size, ...) itself."))
    for batches in got["epochs"]:
        for batch in batches:
            if not isinstance(batch, (list, tuple)) or len(batch) != 2:
                expect.fail(tr("a batch of the loader is not an (xb, yb) pair"),
                            hint=tr("Build the loader over TensorDataset(x, y) so every batch is a pair (xb, yb)."))
    return result, got


def _sizes(batches) -> list[int]:
    return [len(batch[0]) for batch in batches]


@check(points=1)
def test_make_loader_batches_in_order(learner, oracle):
    """make_loader yields (xb, yb) batches of batch_size in row order (the last one shorter) and leaves x, y alone"""
    x, y = X10.clone(), Y10.clone()
    result, got = _loader_batches(learner, x, y, 3)
    expected = oracle.probe("ex10_loader_batches", X10, Y10, 3)
    variants = _only(oracle.probe_variants("ex10_loader_batches", X10, Y10, 3), "epochs")
    expect.unchanged(result, (X10, Y10), ("x", "y"), "make_loader()")
    sizes = _sizes(got["epochs"][0])
    if sizes != _sizes(expected["epochs"][0]):
        mistake = "dropped_last_batch" if sizes == [3, 3, 3] else None
        expect.fail(tr("10 rows in batches of 3 gave batches of sizes {sizes}; expected [3, 3, 3, 1]", sizes=sizes),
                    mistake=mistake,
                    hint=None if mistake else tr("DataLoader(dataset, batch_size=batch_size) cuts the rows into batches of batch_size."))
    if not expect.similar(got["epochs"], expected["epochs"], 0, 0):
        expect.close({"epochs": got["epochs"]}, {"epochs": expected["epochs"]}, tr("the batches of {call}", call="make_loader(x, y, 3)"),
                     variants=variants, rtol=0, atol=0)


@check(points=1, depends=["make_loader_batches_in_order"])
def test_make_loader_keeps_dtype(learner):
    """make_loader keeps the dtype of the data: float64 rows come out as float64 batches"""
    _, got = _loader_batches(learner, X10.double(), Y10.double(), 4)
    for batch in got["epochs"][0]:
        for tensor in batch:
            if not isinstance(tensor, torch.Tensor) or tensor.dtype != torch.float64:
                expect.fail(tr("a batch of float64 data is not float64 any more"),
                            hint=tr("Keep x and y as they are: TensorDataset(x, y) keeps their dtype."))


@check(points=1, visibility="hidden", depends=["make_loader_batches_in_order"],
       taught_by=["make_loader_batches_in_order", "make_loader_keeps_dtype"])
def test_make_loader_float64_any_size(learner, oracle, rng):
    """make_loader keeps the rows, their dtype (float64) and their order for any data and batch size"""
    for _ in range(2):
        n = int(torch.randint(1, 40, (1,), generator=rng))
        batch_size = int(torch.randint(1, n + 4, (1,), generator=rng))
        x = torch.randn(n, 3, generator=rng, dtype=torch.float64)
        y = torch.randn(n, 1, generator=rng, dtype=torch.float64)
        _, got = _loader_batches(learner, x, y, batch_size, shuffle=False)
        expected = oracle.probe("ex10_loader_batches", x, y, batch_size, shuffle=False)
        for batch in got["epochs"][0]:
            for tensor in batch:
                if not isinstance(tensor, torch.Tensor) or tensor.dtype != torch.float64:
                    expect.fail(tr("a batch of float64 data is not float64 any more"),
                                hint=tr("Keep x and y as they are: TensorDataset(x, y) keeps their dtype."))
        if expect.similar(got["epochs"], expected["epochs"], 0, 0):
            continue
        variants = _only(oracle.probe_variants("ex10_loader_batches", x, y, batch_size, shuffle=False), "epochs")
        expect.close({"epochs": got["epochs"]}, {"epochs": expected["epochs"]}, tr("the batches of {call}", call="make_loader"),
                     variants=variants, rtol=0, atol=0, hidden_detail=tr("batches that differ from the rows in order"))


def _sampler_loader(x, y, batch_size, shuffle=False, seed=0):
    """Also acceptable: the generator given to a RandomSampler instead of to the DataLoader."""
    dataset = TensorDataset(x, y)
    return DataLoader(dataset, batch_size=batch_size, sampler=RandomSampler(dataset, generator=torch.Generator().manual_seed(seed)))


def _orders(runs) -> list:
    """Row ids per pass, per loader (the probe's data carries each row's index in x[:, 0])."""
    return [[[int(v) for batch in one_pass for v in batch[0][:, 0].tolist()] for one_pass in passes] for passes in runs]


def _check_shuffled(learner, oracle, n, batch_size, seeds, hidden):
    got = learner.probe("ex10_shuffle_orders", n, batch_size, seeds, function="make_loader").value
    expected = _orders(oracle.probe("ex10_shuffle_orders", n, batch_size, seeds)["runs"])
    variants = None if hidden else oracle.probe_variants("ex10_shuffle_orders", n, batch_size, seeds)
    runs = got["runs"]
    for passes in runs:
        for one_pass in passes:
            for batch in one_pass:
                if not isinstance(batch, (list, tuple)) or len(batch) != 2:
                    expect.fail(tr("a batch of the shuffling loader is not an (xb, yb) pair"),
                                hint=tr("Build the loader over TensorDataset(x, y) so every batch is a pair (xb, yb)."))
                xb, yb = batch
                if xb.dim() != 2 or yb.dim() != 1 or len(xb) != len(yb) or not torch.equal(yb.long(), 100 + xb[:, 0].long()):
                    expect.fail(tr("with shuffle=True, some xb rows came with the yb of another row"),
                                hint=tr("Shuffle the pairs, not x and y separately: TensorDataset(x, y) keeps row i of x with row i of y."))
            if sorted(_sizes(one_pass)) != sorted(_sizes(runs[0][0])) or max(_sizes(one_pass), default=0) > batch_size:
                expect.fail(tr("with shuffle=True the batches do not have size batch_size (the last one shorter)"))
    orders = _orders(runs)
    for passes in orders:
        for order in passes:
            if sorted(order) != list(range(n)):
                expect.fail(tr("with shuffle=True a pass over the loader did not yield every row exactly once"),
                            hint=tr("Let DataLoader shuffle: DataLoader(dataset, batch_size=..., shuffle=True, generator=...)."))
    if orders[0][0] == list(range(n)):
        expect.fail(tr("with shuffle=True the rows still come in their original order"), mistake="shuffle_ignored")
    if orders[0] != orders[1]:
        expect.fail(tr("two loaders made with the same seed gave different orders"), mistake="unseeded_shuffle")
    if orders[0] == orders[2]:
        expect.fail(tr("loaders made with different seeds gave the same order"), mistake="loader_seed_ignored")
    alternative = _orders(PROBES["ex10_shuffle_orders"](SimpleNamespace(make_loader=_sampler_loader), n, batch_size, seeds)["runs"])
    if orders in (expected, alternative):
        return
    if variants is None:
        variants = oracle.probe_variants("ex10_shuffle_orders", n, batch_size, seeds)
    variants = {name: _orders(value["runs"]) for name, value in variants.items()}
    mistake = expect.matching_mistake(orders, variants, 0, 0)
    shown = "" if hidden else tr(" (first pass with seed {seed}: rows {rows}, expected {expected})", seed=seeds[0],
                                 rows=orders[0][0], expected=expected[0][0])
    expect.fail(tr("the shuffled order is not the one a torch.Generator seeded with seed gives{shown}", shown=shown),
                mistake=mistake,
                hint=None if mistake else tr("Pass shuffle=True and generator=torch.Generator().manual_seed(seed) to the DataLoader."))


@check(points=1, depends=["make_loader_batches_in_order"])
def test_make_loader_shuffle_is_seeded(learner, oracle):
    """with shuffle=True the order comes from a torch.Generator seeded with seed: same seed, same order"""
    _check_shuffled(learner, oracle, 10, 3, [0, 0, 7], hidden=False)


@check(points=1, visibility="hidden", depends=["make_loader_shuffle_is_seeded"],
       taught_by=["make_loader_shuffle_is_seeded"])
def test_make_loader_shuffle_any_seed(learner, oracle, rng):
    """with shuffle=True the order is the seeded generator's for other sizes and seeds, pass after pass"""
    n = int(torch.randint(6, 40, (1,), generator=rng))
    batch_size = int(torch.randint(2, n, (1,), generator=rng))
    seed = int(torch.randint(0, 10_000, (1,), generator=rng))
    _check_shuffled(learner, oracle, n, batch_size, [seed, seed, seed + 1], hidden=True)


# ---------------------------------------------------------------------------------------------
# updates_per_epoch


def _updates_mistake(i: int, got: list, variants: dict) -> str | None:
    """The known mistake that explains row i, preferring the one that explains the most rows."""
    candidates = [name for name, values in variants.items() if expect.similar(got[i], values[i], 0, 0)]
    return max(candidates, key=lambda name: sum(expect.similar(g, v, 0, 0) for g, v in zip(got, variants[name])),
               default=None)


def _check_updates(learner, oracle, rows, hidden):
    got = learner.probe("ex10_updates_table", rows, function="updates_per_epoch").value
    expected = oracle.probe("ex10_updates_table", rows)
    variants = None if hidden else oracle.probe_variants("ex10_updates_table", rows)
    for i, (row, value, want) in enumerate(zip(rows, got, expected)):
        what = "updates_per_epoch" if hidden else _describe_row(row)
        if not expect.similar(value, want, 0, 0):
            mistake = _updates_mistake(i, got, variants or oracle.probe_variants("ex10_updates_table", rows))
            shown = expect.show(value) if isinstance(value, float) else repr(value) if isinstance(value, int) else expect.describe(value)
            expect.fail(tr("{what} returned {got}, expected {expected}", what=what, got=shown, expected=want),
                        mistake=mistake, safe_message=tr("{what} returned a wrong number of updates", what=what))
        if isinstance(value, bool) or not isinstance(value, int):
            expect.fail(tr("{what} returned {got}; expected an int", what=what, got=expect.describe(value)),
                        safe_message=tr("updates_per_epoch returned a {type}; expected an int", type=type(value).__name__),
                        hint=tr("Return a Python int: use integer arithmetic (// and a ceiling trick like -(-n // b)), or int(...)."))


@check(points=1)
def test_updates_per_epoch_examples(learner, oracle):
    """updates_per_epoch counts one update per batch: batch GD, SGD, mini-batches with and without drop_last"""
    _check_updates(learner, oracle, UPDATES_EXAMPLES, hidden=False)


@check(points=1, visibility="hidden", depends=["updates_per_epoch_examples"], taught_by=["updates_per_epoch_examples"])
def test_updates_per_epoch_any_size(learner, oracle, rng):
    """updates_per_epoch is right for any number of samples and batch size"""
    rows = []
    for i in range(12):
        batch_size = int(torch.randint(1, 600, (1,), generator=rng))
        n = int(torch.randint(0, 5000, (1,), generator=rng))
        if i % 4 == 0:
            n = batch_size * int(torch.randint(1, 9, (1,), generator=rng))
        rows.append((n, batch_size, (None, True, False)[i % 3]))
    _check_updates(learner, oracle, rows, hidden=True)


# ---------------------------------------------------------------------------------------------
# train


def _train_run(learner, config):
    return learner.probe("ex10_train_run", config, function="train").value


def _require_losses(got, epochs):
    losses = got["losses"]
    if not isinstance(losses, (list, tuple)):
        expect.fail(tr("train returned {got}; expected a list with one loss per epoch", got=expect.describe(losses)),
                    hint=tr("Append one number per epoch to a list and return the list."))
    if len(losses) != epochs:
        mistake = "one_epoch_too_many" if len(losses) == epochs + 1 else None
        expect.fail(tr("train ran with epochs={epochs} returned {count} losses; expected {epochs}, one per epoch",
                       epochs=epochs, count=len(losses)),
                    mistake=mistake, hint=None if mistake else tr("Loop `for epoch in range(epochs):` and append one loss per epoch."))
    for value in losses:
        if isinstance(value, bool) or not isinstance(value, (float, int)):
            expect.fail(tr("an entry of train's losses is {got}, not a Python float", got=expect.describe(value)),
                        hint=tr("Record loss.item() (a float), not the loss tensor itself."))
    return [float(v) for v in losses]


def _order_mistake(events: list[str]) -> str | None:
    """From the watched events: was a step taken before its backward, or after clearing the gradients?"""
    segment: list[str] = []
    for event in events:
        if event != "step":
            segment.append(event)
            continue
        if "forward" in segment:
            after_forward = segment[len(segment) - 1 - segment[::-1].index("forward"):]
            if "backward" not in after_forward:
                return "step_before_backward"
            after_backward = after_forward[after_forward.index("backward"):]
            if "zero_grad" in after_backward:
                return "zero_grad_between_backward_and_step"
        segment = []
    return None


def _name_mistake(mine: dict, variants: dict, events: list[str]) -> str | None:
    """The known mistake a wrong run matches; the watched events break ties and name what the values can't."""
    mistake = expect.matching_mistake(mine, _only(variants, *mine), RTOL, ATOL)
    ordered = _order_mistake(events)
    if mistake in (None, "zero_grad_between_backward_and_step") and ordered:
        mistake = ordered
    if mistake is None and "forward" not in events:
        mistake = "loss_fn_ignored"
    return mistake


@check(points=1, depends=["make_loader_batches_in_order"])
def test_train_one_loss_per_epoch(learner):
    """train returns a list with one float loss per epoch"""
    got = _train_run(learner, SHORT_LAST)
    _require_losses(got, SHORT_LAST["epochs"])


@check(points=1, depends=["train_one_loss_per_epoch"])
def test_train_one_step_per_batch(learner, oracle):
    """train makes one optimizer step per batch: 4 batches × 3 epochs = 12 updates"""
    got = _train_run(learner, SHORT_LAST)
    steps, expected = len(got["steps"]), len(_short_last_reference(oracle)[0]["steps"])
    if steps == expected:
        return
    epochs = SHORT_LAST["epochs"]
    if steps == 0:
        expect.fail(tr("train never called step() on the optimizer it was given"), mistake="optimizer_ignored")
    mistake = {epochs: "step_once_per_epoch", expected + expected // epochs: "one_epoch_too_many"}.get(steps)
    expect.fail(tr("train made {steps} optimizer steps over {epochs} epochs of 4 batches; expected {expected}",
                   steps=steps, epochs=epochs, expected=expected),
                mistake=mistake, hint=None if mistake else tr("Call optimizer.step() once inside `for xb, yb in loader:`."))


@check(points=2, depends=["train_one_step_per_batch"])
def test_train_clears_gradients_every_batch(learner, oracle):
    """every step of train uses the gradient of its own batch only (gradients cleared for every batch)"""
    got = _train_run(learner, SHORT_LAST)
    expected, variants = _short_last_reference(oracle)
    mine = {"steps": got["steps"], "params": got["params"]}
    if expect.similar(mine, {k: expected[k] for k in mine}, RTOL, ATOL):
        return
    mistake = _name_mistake(mine, variants, got["events"])
    first = next((i for i, (g, e) in enumerate(zip(got["steps"], expected["steps"])) if not expect.similar(g, e, RTOL, ATOL)), None)
    if first is None:
        message = tr("train's final parameters differ from the reference run, although every step saw the right gradients")
    else:
        message = tr("at update {update} (batch {batch} of epoch {epoch}) optimizer.step() saw gradients that are not "
                     "that batch's own (they differ from the reference run's)", update=first + 1, batch=first % 4 + 1,
                     epoch=first // 4 + 1)
    expect.fail(message, mistake=mistake,
                hint=None if mistake else tr("For every batch: zero_grad, forward, loss, backward, step."))


@check(points=2, depends=["train_clears_gradients_every_batch"])
def test_train_epoch_loss_is_weighted_mean(learner, oracle):
    """each entry of train's result is the epoch's sample-weighted mean batch loss, taken before each update"""
    got = _train_run(learner, SHORT_LAST)
    losses = _require_losses(got, SHORT_LAST["epochs"])
    expected, variants = _short_last_reference(oracle)
    if expect.similar(losses, expected["losses"], RTOL, ATOL):
        return
    variants = {name: value["losses"] for name, value in variants.items()}
    expect.close(losses, expected["losses"], tr("{call}'s epoch losses (10 samples in batches of 3)", call="train"), variants=variants,
                 rtol=RTOL, atol=ATOL)


def _check_full_run(learner, oracle, config):
    got = _train_run(learner, config)
    losses = _require_losses(got, config["epochs"])
    if not got["steps"]:
        expect.fail(tr("train never called step() on the optimizer it was given"), mistake="optimizer_ignored")
    expected = oracle.probe("ex10_train_run", config)
    mine = {"losses": losses, "params": got["params"]}
    if expect.similar(mine, {k: expected[k] for k in mine}, RTOL, ATOL):
        return
    mistake = _name_mistake(mine, oracle.probe_variants("ex10_train_run", config), got["events"])
    expect.fail(tr("train's losses or final parameters differ from the reference run"), mistake=mistake,
                hint=None if mistake else tr("Use the loader, optimizer and loss_fn you are given, exactly as they are."))


@check(points=1, depends=["train_one_loss_per_epoch"])
def test_train_uses_given_loss_fn(learner, oracle):
    """train computes each batch loss with the loss_fn it is given (here nn.L1Loss, with Adam)"""
    config = dict(SHORT_LAST, loss="l1", optimizer="adam")
    got = _train_run(learner, config)
    losses = _require_losses(got, config["epochs"])
    expected = oracle.probe("ex10_train_run", config)
    variants = oracle.probe_variants("ex10_train_run", config)  # asked up front, so a release records them
    mine = {"losses": losses, "params": got["params"]}
    if expect.similar(mine, {k: expected[k] for k in mine}, RTOL, ATOL):
        return
    mistake = _name_mistake(mine, variants, got["events"])
    expect.fail(tr("with loss_fn=nn.L1Loss() and an Adam optimizer, train's losses or final parameters differ from "
                   "the reference run"), mistake=mistake,
                hint=None if mistake else tr("Use the loader, optimizer and loss_fn you are given, exactly as they are."))


@check(points=1, visibility="hidden", depends=["train_epoch_loss_is_weighted_mean"],
       taught_by=["train_clears_gradients_every_batch", "train_epoch_loss_is_weighted_mean", "train_uses_given_loss_fn"])
def test_train_uses_given_optimizer_and_loss(learner, oracle, rng):
    """train uses the optimizer and loss_fn it is given (Adam with an L1 loss over a shuffled loader)"""
    seed = int(torch.randint(0, 10_000, (1,), generator=rng))
    config = dict(n=13, features=3, outputs=2, batch_size=4, epochs=2, optimizer="adam", lr=0.05, loss="l1",
                  shuffle=True, seed=seed)
    _check_full_run(learner, oracle, config)


@check(points=1, depends=["train_one_loss_per_epoch"])
def test_train_weights_samples_used_with_drop_last(learner, oracle):
    """with a drop_last loader, each epoch's loss is weighted by the samples actually used (10 rows, batches of 3: 9)"""
    config = dict(SHORT_LAST, drop_last=True)
    got = _train_run(learner, config)
    losses = _require_losses(got, config["epochs"])
    expected = oracle.probe("ex10_train_run", config)
    variants = oracle.probe_variants("ex10_train_run", config)  # asked up front, so a release records them
    if expect.similar(losses, expected["losses"], RTOL, ATOL):
        return
    expect.close(losses, expected["losses"], tr("{call}'s epoch losses (drop_last: 9 of 10 samples used per epoch)", call="train"),
                 variants={name: value["losses"] for name, value in variants.items()}, rtol=RTOL, atol=ATOL)


@check(points=1, visibility="hidden", depends=["train_epoch_loss_is_weighted_mean"],
       taught_by=["train_epoch_loss_is_weighted_mean", "train_weights_samples_used_with_drop_last",
                  "train_uses_given_loss_fn"])
def test_train_classifier_drop_last_float64(learner, oracle, rng):
    """train weights by the samples actually used (drop_last loader, cross-entropy, momentum, float64)"""
    seed = int(torch.randint(0, 10_000, (1,), generator=rng))
    config = dict(n=14, features=3, outputs=3, batch_size=4, epochs=2, optimizer="momentum", lr=0.1, loss="ce",
                  drop_last=True, shuffle=True, seed=seed, dtype="float64")
    _check_full_run(learner, oracle, config)
