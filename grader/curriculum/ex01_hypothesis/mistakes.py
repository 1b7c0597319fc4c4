"""Known mistakes of ex01_hypothesis, as functions computing what the mistaken code returns.

detached_forward, parameters_not_tracked, shared_parameters and mutated_argument give the
right values and are named by behaviour (autograd metadata, gradients, arguments after the call).
"""

VARIANTS = {
    "hypothesis": {
        "missing_bias": lambda x, W, b: x * W,
        "swapped_w_b": lambda x, W, b: x * b + W,
    },
}
