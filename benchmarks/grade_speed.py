"""Wall time of `grade run` as a ratio to the floor any grader of these exercises pays.

The floor is a bare `python -c` that imports torch and takes one optim.SGD step. Both are
measured side by side, interleaved, in the same run; medians of --repeat runs are printed.
Also measured: the linear-regression track with one exercise that loops forever.

    python benchmarks/grade_speed.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
LINEAR = [f"ex0{i}" for i in range(1, 8)]
FLOOR = ("import torch\np = torch.zeros(1, requires_grad=True)\nopt = torch.optim.SGD([p], lr=0.1)\n"
         "(p * 2).sum().backward()\nopt.step()\n")
LOOP = "def sum_squared_error(prediction, target):\n    while True:\n        pass\n\n\ndef mse(prediction, target):\n    while True:\n        pass\n"


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=KIT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def grade(*args: str) -> list[str]:
    return [sys.executable, "-m", "grader", "run", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    looping = Path(tempfile.mkdtemp())
    for name in (KIT / "solutions").glob("ex0[1-7]_*.py"):
        shutil.copy(name, looping / name.name)
    (looping / "ex02_cost.py").write_text(LOOP)

    cases = {
        "floor: import torch + one SGD step": [sys.executable, "-c", FLOOR],
        "grade run 1 --dir solutions (cold)": grade("1", "--dir", "solutions"),
        "grade run ex01-ex07 --dir solutions": grade(*LINEAR, "--dir", "solutions"),
        "grade run (all) --dir solutions": grade("--dir", "solutions"),
        "grade run ex01-ex07, ex02 loops forever": grade(*LINEAR, "--dir", str(looping)),
    }
    timed(cases["floor: import torch + one SGD step"])  # warm the file cache once
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(options.repeat):
        for name, command in cases.items():
            samples[name].append(timed(command))
    floor = statistics.median(samples["floor: import torch + one SGD step"])
    print(f"{'case':<42} {'median s':>9} {'ratio':>7}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<42} {median:>9.2f} {median / floor:>7.2f}")
    shutil.rmtree(looping)


if __name__ == "__main__":
    main()
