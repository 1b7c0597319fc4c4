"""`grade batch` of one generated class by this kit and by another checkout of it, interleaved.

For "unchanged within noise" claims: the other checkout is usually a worktree of an earlier
commit (`git worktree add /tmp/before <commit>`). Both run with this interpreter, each with its
own checkout first on the path; wall time and the CPU of the whole process tree (orphans
included, benchmarks/proctree.py) per run, then medians and the ratios.

    python benchmarks/batch_versions.py /tmp/before [--students 20] [--runs 4] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT / "benchmarks"))

import batch_speed  # noqa: E402 - beside this file
import proctree  # noqa: E402


def one_batch(kit: Path, submissions: Path, out: Path, jobs: int) -> tuple[float, float]:
    """(wall, CPU of the tree) of one `grade batch` run by the checkout `kit`, from an empty output folder."""
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(kit)}
    cpu = proctree.tree_cpu()
    started = time.perf_counter()
    process = subprocess.run([sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(out),
                              "--jobs", str(jobs)], cwd=kit, env=env, capture_output=True)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"{kit}: grade batch failed ({process.returncode})\n{process.stderr.decode(errors='replace')[-2000:]}")
    return wall, proctree.tree_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="another checkout of the kit (e.g. a worktree of an earlier commit)")
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    kits = {"this": KIT, "other": args.other.resolve()}
    orphans = "orphans counted" if proctree.adopt_orphans() else "orphans not counted on this system"
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; {args.students} students, "
          f"--jobs {args.jobs}; CPU of the whole process tree, {orphans}")
    with tempfile.TemporaryDirectory() as work:
        submissions = Path(work) / "class"
        submissions.mkdir()
        batch_speed.generate(submissions, args.students)
        runs = {name: [] for name in kits}
        for number in range(args.runs):
            for name, kit in kits.items():
                runs[name].append(one_batch(kit, submissions, Path(work) / f"out-{name}", args.jobs))
                wall, cpu = runs[name][-1]
                print(f"run {number + 1} {name:<5}: {wall:6.2f} s wall, {cpu:6.2f} s CPU", flush=True)
    medians = {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
               for name, rs in runs.items()}
    for name, (wall, cpu) in medians.items():
        print(f"{name:<5} ({kits[name]}): median {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    print(f"this / other: wall {medians['this'][0] / medians['other'][0]:.2f}, "
          f"CPU {medians['this'][1] / medians['other'][1]:.2f}")


if __name__ == "__main__":
    main()
