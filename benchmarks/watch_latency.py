"""Save-to-feedback latency of `grade watch`: from writing the exercise file to the last line printed.

For each exercise, `grade watch EXERCISE` runs on a copy of the stubs; the file is then saved
--saves times with a module that fails one check (a known-mistake variant from
tests/corpus/mutants/, so every check runs as it would for a learner mid-exercise), each save
waiting for the watch's closing "Watching ..." line. Prints the median and the worst latency.

    python benchmarks/watch_latency.py [--saves 10] [ex01 ex02 ...]
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
DEFAULT = ["ex01", "ex02", "ex03", "ex04", "ex05", "ex06", "ex11"]


class Watch:
    def __init__(self, exercise: str, kit_dir: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(KIT))
        self.process = subprocess.Popen([sys.executable, "-c", "from grader.cli.group import entry; entry()", "watch",
                                         exercise], cwd=kit_dir, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, env=env)
        self.buffer = b""

    def until(self, marker: bytes, timeout: float = 120.0) -> float:
        """Read until `marker` ends a line; the time the line arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            index = self.buffer.find(marker)
            if index >= 0 and b"\n" in self.buffer[index:]:
                self.buffer = self.buffer[self.buffer.index(b"\n", index) + 1:]
                return time.monotonic()
            ready, _, _ = select.select([self.process.stdout], [], [], 0.05)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:
                    break
                self.buffer += chunk
        raise RuntimeError(f"no {marker!r}; got {self.buffer[-1500:].decode(errors='replace')}")

    def stop(self) -> None:
        self.process.stdin.write(b"q\n")
        self.process.stdin.flush()
        self.process.wait(timeout=30)


def variant(exercise_id: str) -> str:
    """A module that fails (so the watch stays on the exercise) after running every check."""
    mutants = sorted((KIT / "tests" / "corpus" / "mutants" / exercise_id).glob("*.py"))
    if mutants:
        return mutants[0].read_text(encoding="utf-8")
    return (KIT / "exercises" / f"{exercise_id}.py").read_text(encoding="utf-8")


def measure(name: str, saves: int, pause: float = 0.3) -> list[float]:
    sys.path.insert(0, str(KIT))
    from grader.catalog import metadata

    exercise = metadata.find(metadata.load(), name)
    with tempfile.TemporaryDirectory() as folder:
        kit_dir = Path(folder)
        shutil.copytree(KIT / "exercises", kit_dir / "exercises")
        target = kit_dir / "exercises" / exercise.filename
        watch = Watch(name, kit_dir)
        marker = f"Watching exercises/{exercise.filename}".encode()
        watch.until(marker)
        source = variant(exercise.id)
        latencies = []
        for number in range(saves):
            time.sleep(pause)  # between a feedback and the next save
            saved = time.monotonic()
            target.write_text(source + f"\n# save {number}\n", encoding="utf-8")
            latencies.append(watch.until(marker) - saved)
        watch.stop()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("exercises", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    print(f"{'exercise':<26} {'median s':>8} {'worst s':>8}  ({args.saves} saves each)")
    for name in args.exercises:
        latencies = measure(name, args.saves)
        print(f"{name:<26} {statistics.median(latencies):>8.3f} {max(latencies):>8.3f}", flush=True)


if __name__ == "__main__":
    main()
