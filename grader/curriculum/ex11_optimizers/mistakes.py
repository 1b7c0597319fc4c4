"""Known mistakes of ex11_optimizers, as functions computing what the mistaken code does (in place, like the learner's)."""

import torch


# sgd_momentum_step ----------------------------------------------------------------------------

def _momentum(params, velocities, lr, momentum, *, variant):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            g = p.grad
            if g is None:
                if variant != "grad_none_not_skipped":
                    continue
                g = torch.zeros_like(p)
            if variant == "momentum_wrong_order":
                p.sub_(lr * v)
                v.mul_(momentum).add_(g)
            elif variant == "velocity_not_kept":
                local = momentum * v + g
                p.sub_(lr * local)
            elif variant == "dampened_velocity":
                v.mul_(momentum).add_((1 - momentum) * g)
                p.sub_(lr * v)
            elif variant == "velocity_includes_lr":
                v.mul_(momentum).add_(lr * g)
                p.sub_(v)
            elif variant == "nesterov_momentum":
                v.mul_(momentum).add_(g)
                p.sub_(lr * (g + momentum * v))
            else:
                v.mul_(momentum).add_(g)
                p.sub_(lr * v)


def _momentum_variant(name):
    return lambda params, velocities, lr, momentum: _momentum(params, velocities, lr, momentum, variant=name)


# adam_step -----------------------------------------------------------------------------------

def _adam(params, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, *, variant):
    beta1, beta2 = betas
    if variant == "bias_correction_before_increment":
        t = state["step"]
        state["step"] += 1
    elif variant == "adam_step_not_counted":
        t = state["step"] + 1
    else:
        state["step"] += 1
        t = state["step"]
    with torch.no_grad():
        for p, m, v in zip(params, state["m"], state["v"]):
            if p.grad is None:
                continue
            g = p.grad
            if variant == "adam_wrong_order":
                p.sub_(lr * (m / (1 - beta1**t)) / ((v / (1 - beta2**t)).sqrt() + eps))
            if variant == "adam_state_not_kept":
                m = beta1 * m + (1 - beta1) * g
                v = beta2 * v + (1 - beta2) * g * g
            else:
                m.mul_(beta1).add_((1 - beta1) * g)
                v.mul_(beta2).add_((1 - beta2) * g * g)
            if variant == "adam_wrong_order":
                continue
            if variant == "missing_bias_correction":
                m_hat, v_hat = m, v
            else:
                m_hat = m / (1 - beta1**t)
                v_hat = v / (1 - beta2**t)
            if variant == "adam_eps_inside_sqrt":
                p.sub_(lr * m_hat / (v_hat + eps).sqrt())
            else:
                p.sub_(lr * m_hat / (v_hat.sqrt() + eps))


def _adam_variant(name):
    return lambda params, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8: _adam(params, state, lr, betas, eps, variant=name)


VARIANTS = {
    "sgd_momentum_step": {
        name: _momentum_variant(name)
        for name in ("momentum_wrong_order", "velocity_not_kept", "dampened_velocity",
                     "velocity_includes_lr", "nesterov_momentum", "grad_none_not_skipped")
    },
    "adam_step": {
        name: _adam_variant(name)
        for name in ("missing_bias_correction", "adam_eps_inside_sqrt", "bias_correction_before_increment",
                     "adam_step_not_counted", "adam_state_not_kept", "adam_wrong_order")
    },
}
