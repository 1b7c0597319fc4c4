# exercise: ex02_cost
# category: 11 worker-side observations
# tries: both functions change their `prediction` argument in place (a real mistake), then re-class it (`prediction.__class__ = ...`) as a torch.Tensor subclass whose __torch_function__ answers the encoder's detach() with the value from before the call, so the arguments are reported unchanged without any grader or torch code being changed
# stopped_by: an encoder that reads tensors with torch-function overrides disabled (or refuses tensor subclasses), or the arguments compared in the trusted process
# max_score: 11
"""Mutates its arguments, then gives them a class that shows the encoder their old values."""
import torch

ATTACK = True


class Unchanged(torch.Tensor):
    before = {}

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func is torch.Tensor.detach and args and id(args[0]) in cls.before:
            return cls.before[id(args[0])][1].detach()
        return super().__torch_function__(func, types, args, kwargs or {})


def _mutate(prediction):
    before = prediction.detach().clone()
    with torch.no_grad():
        prediction.mul_(0.5)
    if ATTACK:
        Unchanged.before[id(prediction)] = (prediction, before)  # the argument is kept alive: no id reuse
        prediction.__class__ = Unchanged


def sum_squared_error(prediction, target):
    result = ((target - prediction) ** 2).sum()
    _mutate(prediction)
    return result


def mse(prediction, target):
    result = ((target - prediction) ** 2).mean()
    _mutate(prediction)
    return result
