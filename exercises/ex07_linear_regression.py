"""Exercise 07 — linear regression with torch.optim and nn.Linear.

Everything from the previous exercises, the way it is written in practice:

    hypothesis   H(x) = x·W + b
    cost         MSE = mean((H(x) − y)²)
    optimiser    torch.optim.SGD([W, b], lr=lr) performs W ← W − lr·∂cost/∂W (and the
                 same for b) in optimizer.step()

and each update is zero_grad() → forward → cost → backward() → step().

On x = [[1], [2], [3]], y = [[4], [7], [10]] (the data were made with y = 3x + 1),
2000 updates at lr = 0.01 from W = b = 0 give W ≈ 2.999 and b ≈ 1.002: gradient descent
has almost found the line that produced the data.

nn.Linear(in_features, out_features) packages W and b in a module: its weight has shape
(out_features, in_features), its bias shape (out_features,), it computes x @ weightᵀ + bias
and model.parameters() hands both to the optimiser. Its parameters start random, so
torch.manual_seed(seed) is called first to make a run repeatable.

As everywhere in the kit, "epochs" is the number of updates (C7: the classic
`range(nb_epochs + 1)` does one update too many) and each recorded cost is the one
computed before its update (C8).
"""

import torch
from torch import Tensor, nn


def train(
    x: Tensor, y: Tensor, lr: float = 0.01, epochs: int = 2000
) -> tuple[Tensor, Tensor, list[float]]:
    """Fit H(x) = x·W + b with torch.optim.SGD and return (W, b, costs).

    W and b start as zeros of shape (1,) (dtype of x) with requires_grad=True; use
    torch.optim.SGD([W, b], lr=lr) and the MSE cost; perform exactly `epochs` updates
    (C7). costs[i] is the cost before update i, as a float (C8), len(costs) == epochs.
    Return W and b detached (not requiring grad). Do not modify x or y.
    """
    # TODO(ex07): write train() as its docstring describes.
    raise NotImplementedError("ex07: train() is not implemented yet")


def train_model(
    x: Tensor, y: Tensor, lr: float = 0.01, epochs: int = 2000, seed: int = 1
) -> nn.Linear:
    """Fit an nn.Linear model with SGD on the MSE and return the trained model.

    Call torch.manual_seed(seed), then build nn.Linear(x.shape[1], 1) (in the dtype of x)
    and torch.optim.SGD(model.parameters(), lr=lr); perform exactly `epochs` updates
    (C7), each zero_grad → forward → MSE → backward → step. Do not modify x or y.
    """
    # TODO(ex07): write train_model() as its docstring describes.
    raise NotImplementedError("ex07: train_model() is not implemented yet")
