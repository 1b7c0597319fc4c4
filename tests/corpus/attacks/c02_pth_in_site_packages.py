# exercise: ex02_cost
# category: 2 persistent tampering
# tries: drop a .pth into every site-packages folder (it would run at every later Python start, even after a reinstall of the kit), the user site and the home folder; harmless: the files hold a comment only
# stopped_by: landlock (site-packages is readable, never writable)
# max_score: 0
"""A stub that leaves harmless marker .pth files where a real attack would leave code."""
import os
import site

ATTACK = True
TOKEN = "__TOKEN__"
HOME = "__HOME__"
KIT = "__KIT__"

MARKER = "# zz_kit_attack marker: a line starting with 'import' here would run in every later interpreter\n"


def _folders():
    found = set()
    try:
        found.update(site.getsitepackages())
    except Exception:  # noqa: BLE001
        pass
    try:
        found.add(site.getusersitepackages())
    except Exception:  # noqa: BLE001
        pass
    try:
        import torch  # noqa: PLC0415

        found.add(os.path.dirname(os.path.dirname(torch.__file__)))
    except Exception:  # noqa: BLE001
        pass
    found.update((HOME, "/tmp", KIT + "/grader"))
    return sorted(found)


if ATTACK:
    for folder in _folders():
        try:
            with open(os.path.join(folder, f"zz_kit_attack_{TOKEN}.pth"), "w", encoding="utf-8") as handle:
                handle.write(MARKER)
        except OSError:
            pass


def sum_squared_error(prediction, target):
    raise NotImplementedError("ex02: sum_squared_error() is not implemented yet")


def mse(prediction, target):
    raise NotImplementedError("ex02: mse() is not implemented yet")
