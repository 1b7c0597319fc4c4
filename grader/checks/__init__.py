"""The graded checks, one module per exercise (`check_<exercise>.py`), run by grader.grading.runner."""
