"""The portable worker backend beside the fork one, in the same run: grade run, watch, one worker.

1. Full-kit `grade run --dir solutions`, each backend forced with GRADE_WORKER_BACKEND, runs
   interleaved; medians of --repeat runs, wall and CPU (the whole process tree, orphans included:
   benchmarks/proctree.py), and the ratio.
2. `grade watch` save → feedback for both backends (benchmarks/watch_latency.py's method).
3. What one spawned, warmed interpreter costs (launch → ready, wall and its own CPU) and what
   handing a warm one a module costs (spawn + load), beside a forked worker's spawn + load.

    python benchmarks/backend_speed.py [--repeat 3] [--saves 5] [--watch ex02 ex04 ...]
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
sys.path.insert(0, str(KIT / "benchmarks"))
BACKENDS = ("fork", "portable")

import proctree  # noqa: E402 - beside this file


def grade_run(backend: str, *exercises: str) -> tuple[float, float]:
    """(wall, CPU of the whole tree) of one `grade run` (the full kit by default) with `backend` forced."""
    env = dict(os.environ, GRADE_WORKER_BACKEND=backend)
    cpu = proctree.tree_cpu()
    started = time.perf_counter()
    process = subprocess.run([sys.executable, "-m", "grader", "run", *exercises, "--dir", str(KIT / "solutions")],
                             cwd=KIT,
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"grade run with the {backend} backend did not pass every solution ({process.returncode})")
    return wall, proctree.tree_cpu() - cpu  # orphans included: a spare still warming at exit counts


def one_worker() -> None:
    """Launch → ready of a spawned interpreter, and spawn + load of a warm one beside a forked one."""
    import psutil

    from grader.sandbox.client import LearnerModule, Zygote
    from grader.sandbox.portable import PortableWorkers

    path = KIT / "solutions" / "ex02_cost.py"
    workers = PortableWorkers.start(spares=1)
    started = time.perf_counter()
    spare = workers._waiting[0]
    spare.wait_ready(120)
    ready = time.perf_counter() - started
    times = psutil.Process(spare.pid).cpu_times()
    print(f"spawned interpreter, launch → warm and confined: {ready:.2f} s wall, "
          f"{times.user + times.system:.2f} s of its own CPU")
    time.sleep(0.5)
    workers._waiting[-1].wait_ready(120)  # the replacement started by the hand-over below is warm too
    for name, backend in (("portable", workers), ("fork", Zygote.start())):
        backend.layers()
        handovers = []
        for _ in range(5):
            for spare in getattr(backend, "_waiting", []):
                spare.wait_ready(120)  # measure the hand-over, not a cold start
            started = time.perf_counter()
            module = LearnerModule(zygote=backend, path=path, name="ex02_cost", budget=30.0, call_timeout=10.0)
            module.ensure_loaded()
            handovers.append(time.perf_counter() - started)
            module.close()
        print(f"{name:<8} worker spawn + load of ex02_cost.py: median {statistics.median(handovers) * 1000:.0f} ms "
              f"(5 runs, a warm spare ready each time)")
        backend.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--watch", nargs="*", default=["ex02", "ex04", "ex11"])
    parser.add_argument("--pauses", nargs="*", type=float, default=[0.3, 3.0],
                        help="seconds between a feedback and the next save (a learner edits for longer)")
    args = parser.parse_args()
    orphans = "orphans counted" if proctree.adopt_orphans() else "orphans not counted on this system"
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; CPU of the whole process tree, {orphans}")
    runs: dict[str, list[tuple[float, float]]] = {backend: [] for backend in BACKENDS}
    for _ in range(args.repeat):
        for backend in BACKENDS:  # interleaved: a busier moment hurts both alike
            runs[backend].append(grade_run(backend))
    medians = {}
    for backend in BACKENDS:
        wall = statistics.median(run[0] for run in runs[backend])
        cpu = statistics.median(run[1] for run in runs[backend])
        medians[backend] = wall
        print(f"grade run (full kit), {backend:<8}: median {wall:6.2f} s wall, {cpu:6.2f} s CPU "
              f"({args.repeat} runs: {', '.join(f'{run[0]:.2f}' for run in runs[backend])})")
    print(f"ratio portable / fork: {medians['portable'] / medians['fork']:.2f}")
    single = {backend: [] for backend in BACKENDS}
    for _ in range(args.repeat):
        for backend in BACKENDS:
            single[backend].append(grade_run(backend, "ex01")[0])
    print("grade run ex01 (one exercise, the first two spares' warm-ups overlap the grader's own torch import): "
          + ", ".join(f"{backend} median {statistics.median(single[backend]):.2f} s" for backend in BACKENDS))
    if args.watch:
        import watch_latency

        print(f"grade watch save → feedback ({args.saves} saves each), median / worst s:")
        for pause in args.pauses:
            for name in args.watch:
                cells = []
                for backend in BACKENDS:
                    os.environ["GRADE_WORKER_BACKEND"] = backend
                    latencies = watch_latency.measure(name, args.saves, pause)
                    cells.append(f"{backend} {statistics.median(latencies):.3f} / {max(latencies):.3f}")
                print(f"  {name:<6} {pause:>4g} s between saves:  " + "   ".join(cells), flush=True)
        os.environ.pop("GRADE_WORKER_BACKEND", None)
    one_worker()


if __name__ == "__main__":
    main()
