# exercise: ex02_cost
# status: error
# message: line 6
# max_seconds: 8
def sum_squared_error(prediction, target):
    return ((target - prediction) ** 2).sum(


def mse(prediction, target):
    return 0
