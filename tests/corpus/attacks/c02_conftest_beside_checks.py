# exercise: ex02_cost
# category: 2 persistent tampering
# tries: write grader/curriculum/ex02_cost/conftest.py (pytest's rootdir) so that every later run passes every check without running it
# stopped_by: landlock (the kit is not writable; only the private scratch folder is), pytest in the trusted process loads no conftest
# max_score: 0
"""A stub that leaves a conftest.py beside the checks for the next student."""

ATTACK = True
KIT = "__KIT__"

PAYLOAD = '''import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    return True  # the check "passes" without running
'''


def _plant():
    if not ATTACK:
        return
    for folder in (KIT + "/grader/curriculum/ex02_cost", KIT + "/grader/curriculum", KIT + "/grader", KIT):
        try:
            with open(folder + "/conftest.py", "w", encoding="utf-8") as handle:
                handle.write(PAYLOAD)
        except OSError:
            pass


_plant()


def sum_squared_error(prediction, target):
    raise NotImplementedError("ex02: sum_squared_error() is not implemented yet")


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
