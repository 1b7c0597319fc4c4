"""`grade batch` on a generated class against the loop a teacher writes today, side by side in one run.

A class of --students generated students (default 30), every exercise: each student's modules
are drawn, with a fixed seed, from the reference solutions, the stubs, the mutants (one known
mistake each) and the valid alternatives of tests/corpus, and each file gets a line naming its
student, so no two submissions are identical (the batch's cache and de-duplication can't help).

Measured in the same run, interleaved:
- the loop: `grade run --dir STUDENT --json` for --sample students spread over the class
  (mean × class size = what the shell loop would take);
- the batch: `grade batch CLASS --out fresh/ --jobs J` for each J in --jobs, from an empty cache
  (with --unpinned also with `--no-pin-cores`, the grading processes left to the scheduler);
- the peak memory (PSS) of the batch's whole process tree (sampled from /proc), in the first and the
  second half of the run (flat when the second is no higher), in a separate, untimed batch run:
  reading smaps_rollup walks page tables and slowed the timed run it watched by a fifth;
- the Gradescope entry point (`run_autograder`) for one full correct submission, as a ratio
  to the floor `python -c "import torch"`.

    python benchmarks/batch_speed.py [--students 30] [--sample 6] [--jobs 2,3] [--unpinned]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT))

from grader.catalog import metadata  # noqa: E402


def generate(root: Path, students: int, seed: int = 7) -> list[Path]:
    corpus = KIT / "tests" / "corpus"
    rng = random.Random(seed)
    folders = []
    for number in range(students):
        folder = root / f"s{number:03d}"
        folder.mkdir(parents=True)
        for exercise in metadata.load().exercises:
            kind = rng.choices(["solution", "stub", "mutant", "alternative"], weights=[5, 1, 3, 1])[0]
            pool = sorted((corpus / f"{kind}s" / exercise.id).glob("*.py")) if kind in ("mutant", "alternative") else []
            if kind == "stub":
                source = KIT / "exercises" / exercise.filename
            elif pool:
                source = rng.choice(pool)
            else:
                source = KIT / "solutions" / exercise.filename
            text = source.read_text(encoding="utf-8")
            (folder / exercise.filename).write_text(f"{text}\n# submitted by s{number:03d}\n", encoding="utf-8")
        folders.append(folder)
    return folders


class TreeMemory:
    """Peak memory (PSS) of a process and all its descendants, sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _children(self) -> dict[int, list[int]]:
        tree: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        parent = int(handle.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                tree.setdefault(parent, []).append(int(entry))
        return tree

    def _rss(self, pid: int) -> int:
        """Proportional set size: shared pages (torch, forked workers) counted once across the tree."""
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            tree, total, todo, seen = self._children(), 0, [self.pid], set()
            while todo:
                pid = todo.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                total += self._rss(pid)
                todo.extend(tree.get(pid, []))
            self.samples.append((time.monotonic() - started, total))
            self._stop.wait(0.2)

    def stop(self) -> tuple[float, float]:
        """(peak MiB in the first half, peak MiB in the second half)."""
        self._stop.set()
        self._thread.join()
        if not self.samples:
            return 0.0, 0.0
        end = self.samples[-1][0]
        first = max((rss for t, rss in self.samples if t <= end / 2), default=0)
        second = max((rss for t, rss in self.samples if t > end / 2), default=0)
        return first / 2**20, second / 2**20


def timed(command: list[str], memory: bool = False, env: dict | None = None,
          ok: tuple[int, ...] = (0,), output: list | None = None) -> tuple[float, tuple[float, float]]:
    """Wall time (and peak memory) of a command; stops the benchmark when the command failed."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=KIT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    meter = TreeMemory(process.pid) if memory else None
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    peaks = meter.stop() if meter else (0.0, 0.0)
    if process.returncode not in ok:
        sys.exit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr.decode(errors='replace')[-2000:]}")
    if output is not None:
        output.append(stdout)
    return wall, peaks


def same_scores(reports: dict[str, dict], out: Path) -> None:
    """The batch graded what the loop graded: the sampled students' totals in grades.csv match."""
    import csv

    with open(out / "grades.csv", newline="") as handle:
        totals = {row["student"]: row["total"] for row in csv.DictReader(handle)}
    for student, report in reports.items():
        if totals.get(student) != f"{report['score']:g}":
            sys.exit(f"{student}: the batch gave {totals.get(student)}, grade run gave {report['score']:g}")


def gradescope_ratio(work: Path) -> tuple[float, float]:
    bundle = work / "autograder.zip"
    subprocess.run([sys.executable, "-m", "grader", "gradescope", str(bundle)], cwd=KIT, check=True,
                   stdout=subprocess.DEVNULL)
    root = work / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    shutil.copytree(KIT / "solutions", root / "submission", ignore=shutil.ignore_patterns("__*"))
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), KIT_PYTHON=sys.executable)
    floor, _ = timed([sys.executable, "-c", "import torch"])
    wall, _ = timed(["bash", str(root / "source" / "run_autograder")], env=env)
    score = json.loads((root / "results" / "results.json").read_text())["score"]
    assert score == sum(e.points for e in metadata.load().exercises), score
    return wall, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--sample", type=int, default=6, help="students timed with `grade run --dir` (the loop)")
    parser.add_argument("--jobs", default=str(len(os.sched_getaffinity(0))), help="comma-separated --jobs values")
    parser.add_argument("--no-gradescope", action="store_true")
    parser.add_argument("--unpinned", action="store_true", help="also time each batch with --no-pin-cores")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="batch-speed-"))
    try:
        folders = generate(work / "class", options.students)
        step = max(len(folders) // options.sample, 1)
        sample = folders[::step][:options.sample]
        loop_times = []
        batch_times: dict[int, float] = {}
        unpinned: dict[int, float] = {}
        memory: dict[int, tuple[float, float]] = {}
        jobs = [int(j) for j in options.jobs.split(",")]
        # interleave: half the loop sample, the batches, the other half
        half = len(sample) // 2
        reports: dict[str, dict] = {}

        def loop_one(folder: Path) -> None:
            printed: list[bytes] = []
            loop_times.append(timed([sys.executable, "-m", "grader", "run", "--dir", str(folder), "--json"],
                                    ok=(0, 1), output=printed)[0])
            reports[folder.name] = json.loads(printed[0])

        for folder in sample[:half]:
            loop_one(folder)
        for count in jobs:
            out = work / f"out-{count}"
            batch_times[count], _ = timed([sys.executable, "-m", "grader", "batch", str(work / "class"), "--out",
                                           str(out), "--jobs", str(count), "--no-progress"])
            if options.unpinned:
                unpinned[count], _ = timed([sys.executable, "-m", "grader", "batch", str(work / "class"), "--out",
                                            str(work / f"unpinned-{count}"), "--jobs", str(count), "--no-progress",
                                            "--no-pin-cores"])
        for folder in sample[half:]:
            loop_one(folder)
        for count in jobs:
            same_scores(reports, work / f"out-{count}")
            _, memory[count] = timed([sys.executable, "-m", "grader", "batch", str(work / "class"), "--out",
                                      str(work / f"memory-{count}"), "--jobs", str(count), "--no-progress"], memory=True)
        one = statistics.mean(loop_times)
        loop = one * options.students
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=KIT, capture_output=True,
                                text=True).stdout.strip() or "unknown"
        print(f"kit {commit}; batch totals equal `grade run` for the {len(reports)} sampled students")
        print(f"class: {options.students} generated students, {len(metadata.load().exercises)} exercises each; "
              f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
        print(f"one `grade run --dir` (mean of {len(loop_times)}): {one:.2f} s  "
              f"(min {min(loop_times):.2f}, max {max(loop_times):.2f}); the loop: {loop:.0f} s")
        print(f"{'grade batch':<22} {'wall s':>8} {'÷ loop':>8} {'speed-up':>9} {'300 students':>13} "
              f"{'peak MiB 1st/2nd half':>22}")
        for count in jobs:
            wall = batch_times[count]
            first, second = memory[count]
            print(f"{'--jobs ' + str(count):<22} {wall:>8.1f} {wall / loop:>8.3f} {loop / wall:>8.1f}x "
                  f"{wall / options.students * 300 / 60:>10.1f} min {first:>10.0f} / {second:<10.0f}")
            if count in unpinned:
                wall = unpinned[count]
                print(f"{'--jobs ' + str(count) + ' --no-pin-cores':<22} {wall:>8.1f} {wall / loop:>8.3f} "
                      f"{loop / wall:>8.1f}x {wall / options.students * 300 / 60:>10.1f} min")
        if not options.no_gradescope:
            wall, floor = gradescope_ratio(work)
            print(f"gradescope run_autograder, all exercises correct: {wall:.2f} s = {wall / floor:.1f} × "
                  f"`python -c 'import torch'` ({floor:.2f} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
