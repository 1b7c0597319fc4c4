# exercise: ex02_cost
# status: timeout
# check.sse_matches_definition: passed
# check.mse_returns_0dim_tensor: timeout
# max_seconds: 12
def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum()


def mse(prediction, target):
    total = 0
    while total >= 0:
        total += 1
    return total
