# exercise: ex02_cost
# status: error
# message: sys.exit
# max_seconds: 8
import sys

sys.exit(0)
