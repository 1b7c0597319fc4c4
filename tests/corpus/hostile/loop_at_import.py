# exercise: ex02_cost
# status: timeout
# message: did not finish
# max_seconds: 12
while True:
    pass
