"""Wall time of `grade run --dir solutions` with every confinement layer on, as a ratio to all off.

Both variants run interleaved in the same session (GRADE_CONFINEMENT_OFF switches layers off);
medians of --repeat runs are printed side by side, plus the cost of one confined worker start.

    python benchmarks/confinement_cost.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT))

from grader.sandbox.confine import LAYERS  # noqa: E402

SPAWN = """
import sys, time
from pathlib import Path
from grader.sandbox.client import Zygote
zygote = Zygote.start()
zygote.layers()
started = time.perf_counter()
for _ in range(20):
    zygote.spawn(Path("solutions/ex01_hypothesis.py"), "ex01_hypothesis").kill()
print((time.perf_counter() - started) / 20)
zygote.close()
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=KIT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    confined = dict(os.environ, GRADE_CONFINEMENT_OFF="")
    unconfined = dict(os.environ, GRADE_CONFINEMENT_OFF=",".join(LAYERS))
    command = [sys.executable, "-m", "grader", "run", "--dir", "solutions"]
    timed(command, confined)  # warm the file cache once
    samples: dict[str, list[float]] = {"confined": [], "unconfined": []}
    for _ in range(options.repeat):
        samples["unconfined"].append(timed(command, unconfined))
        samples["confined"].append(timed(command, confined))
    base = statistics.median(samples["unconfined"])
    print(f"{'grade run --dir solutions':<36} {'median s':>9} {'ratio':>7}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<36} {median:>9.2f} {median / base:>7.2f}")
    for name, env in (("unconfined", unconfined), ("confined", confined)):
        out = subprocess.run([sys.executable, "-c", SPAWN], cwd=KIT, env=env, capture_output=True, text=True)
        print(f"one worker start, {name:<18} {float(out.stdout.strip() or 'nan') * 1000:>8.1f} ms")


if __name__ == "__main__":
    main()
