"""Where one student's grading time goes, past the first: the kit's share against the learner's own code.

Grades a generated class (benchmarks/batch_speed.py's generator) in one process, one student after
another, with one zygote and one memoizing oracle, as a `grade batch` grading process does, and
reports per student (mean past the first, whose reference answers are computed then):

- all CPU: the machine's busy time (/proc/stat), so the zygote, its forks and the kernel count;
- trusted: this process's CPU (pytest, the checks, the reference replay, decoding replies);
- learner workers: the workers' cgroups (the learner's code plus each worker's own overhead);
- the rest: forks, the outer processes and the kernel's share.

    python benchmarks/student_cost.py [--students 12]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT))
sys.path.insert(0, str(KIT / "benchmarks"))

from grader.sandbox.client import Zygote  # noqa: E402


def busy_seconds() -> float:
    with open("/proc/stat") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=12)
    options = parser.parse_args()
    zygote = Zygote.start()  # before torch is imported here, as every grading process does
    from batch_speed import generate

    from grader.catalog import metadata
    from grader.instructor.memo import MemoOracle
    from grader.grading.oracle_select import default_oracle
    from grader.reporting.render import render_report
    from grader.grading.runner import DEFAULT_SEED, run

    work = Path(tempfile.mkdtemp(prefix="student-cost-"))
    try:
        folders = generate(work, options.students)
        inner, hidden_included = default_oracle()
        oracle = MemoOracle(inner)
        exercises = metadata.load().exercises
        rows = []
        for folder in folders:
            busy, trusted, wall = busy_seconds(), time.process_time(), time.perf_counter()
            report = run(exercises, folder, zygote=zygote, seed=DEFAULT_SEED, oracle=oracle,
                         hidden_included=hidden_included)
            render_report(report, colour=False)
            learner = sum(spent for spent, _ in report.cpu_seconds.values())
            rows.append((busy_seconds() - busy, time.process_time() - trusted, learner, time.perf_counter() - wall))
    finally:
        zygote.close()
        shutil.rmtree(work, ignore_errors=True)
    steady = rows[1:] or rows
    means = [statistics.mean(row[i] for row in steady) for i in range(4)]
    print(f"{options.students} generated students, one grading process; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'per student':<34} {'first':>7} {'then (mean)':>12}")
    for i, name in enumerate(("all CPU (machine busy time)", "trusted CPU (checks, replay)", "learner workers' CPU (cgroups)")):
        print(f"{name:<34} {rows[0][i]:>6.2f}s {means[i]:>11.2f}s")
    rest = means[0] - means[1] - means[2]
    print(f"{'the rest (forks, kernel)':<34} {'':>7} {rest:>11.2f}s")
    print(f"{'wall':<34} {rows[0][3]:>6.2f}s {means[3]:>11.2f}s")


if __name__ == "__main__":
    main()
