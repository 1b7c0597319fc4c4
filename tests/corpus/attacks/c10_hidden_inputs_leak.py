# exercise: ex02_cost
# category: 10 leaks into feedback
# tries: a correct sum_squared_error that remembers the inputs of the hidden random-batch check (random values: the public checks' inputs are all multiples of 0.25); mse then raises with them (and 900 characters of filler) so a public check's message shows the hidden inputs
# stopped_by: hidden and public checks run in separate workers; learner exception text in feedback is capped at about 200 characters
# max_score: 4
"""Smuggles hidden-check inputs into public feedback through an exception message."""

ATTACK = True
SEEN = []


def _random(tensor):
    return bool(((tensor.detach() * 4) != (tensor.detach() * 4).round()).any())


def sum_squared_error(prediction, target):
    if ATTACK and _random(prediction):
        SEEN.append(prediction.flatten()[:3].tolist())
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    leaked = " ".join(f"{value:.6f}" for batch in SEEN for value in batch)
    raise ValueError(f"LEAK n={len(SEEN)} {leaked} " + "x" * 900)
