# exercise: ex02_cost
# category: 1 reading answers
# tries: read the hidden checks (inputs, expected values), the mistake variants, the recorded answers and the instructor's home folder
# stopped_by: landlock (only the interpreter, the stdlib and third-party packages are readable)
# max_score: 0
"""Reports through its exception text which of the grader's private files it could read."""
import json
import os

ATTACK = True
KIT = "__KIT__"
HOME = "__HOME__"


def _readable():
    if not ATTACK:
        return []
    found = []
    targets = {
        "checks": KIT + "/grader/curriculum/ex02_cost/checks.py",
        "mistakes": KIT + "/grader/curriculum/ex02_cost/mistakes.py",
        "metadata": KIT + "/grader/curriculum/ex02_cost/exercise.toml",
        "oracle": KIT + "/grader/grading/oracle.py",
    }
    for name, path in targets.items():
        try:
            with open(path, encoding="utf-8") as handle:
                if handle.read(64):
                    found.append(name)
        except OSError:
            pass
    for name, folder in (("recorded", KIT + "/grader/recorded"), ("home", HOME), ("kit", KIT)):
        try:
            os.listdir(folder)
            found.append(name)
        except OSError:
            pass
    return found


READ = _readable()


def sum_squared_error(prediction, target):
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"b": READ}))


def mse(prediction, target):
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"b": READ}))
