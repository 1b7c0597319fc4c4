"""One grading process of `grade batch`: its own zygote, the kit's runner, one oracle shared by every student it grades.

Protocol (JSON lines): it first writes `{"ready": true, "layers": [...]}`, then answers each
request `{"dir": ..., "exercises": [...], "seed": N}` read on stdin with
`{"report": <grade-report/1>, "text": <the text `grade run` prints>, "internal_errors": [...]}`
(or `{"error": ...}` when the grader itself failed). Anything else the process or a library
prints goes to stderr, never into the protocol. It ends at end of input.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from typing import Any


def keep_to_core(argv: list[str]) -> None:
    """`--core N`: this process, its zygote and every worker stay on core N (inherited at fork)."""
    if len(argv) == 2 and argv[0] == "--core":
        try:
            os.sched_setaffinity(0, {int(argv[1])})
        except (OSError, ValueError):
            pass  # a core taken away since the batch looked: the scheduler places us


def main() -> None:
    keep_to_core(sys.argv[1:])
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # stray output (ours or a library's) must not corrupt the protocol

    from grader.grading.orchestrate import Grader
    from grader.sandbox.client import SandboxUnavailable

    def memo(inner: Any) -> Any:
        from grader.instructor.memo import MemoOracle  # imports torch: only once the zygote is warming up

        return MemoOracle(inner)

    grader = Grader(wrap_oracle=memo)  # the zygote first; every student's gradings share one memo
    zygote = grader.zygote
    try:
        from grader.catalog import metadata
        from grader.reporting.render import render_report

        oracle = grader.prepare().oracle
        catalog = metadata.load()
        try:
            layers = zygote.layers()
        except SandboxUnavailable as exc:
            protocol.write(json.dumps({"ready": False, "error": str(exc)}) + "\n")
            return
        protocol.write(json.dumps({"ready": True, "layers": layers}) + "\n")
        frozen = False
        for line in sys.stdin:
            request = json.loads(line)
            try:
                selected = metadata.resolve(catalog, request["exercises"])
                report = grader.grade(selected, request["dir"], seed=int(request["seed"]))
                reply = {"report": report.to_json(), "text": render_report(report, colour=False),
                         "internal_errors": [str(e) for e in report.internal_errors],
                         "oracle": {"hits": oracle.hits, "misses": oracle.misses}}
            except SandboxUnavailable as exc:
                reply = {"error": f"the grading sandbox failed: {exc}"}
            except Exception as exc:  # noqa: BLE001 - reported as the grader's own failure for this student
                reply = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
            protocol.write(json.dumps(reply, ensure_ascii=False) + "\n")
            if not frozen:  # torch, pytest, the checks and the references are loaded now: for good
                gc.collect()
                gc.freeze()  # later collections skip them: 0.054 -> 0.010 s of garbage collection a student
                frozen = True
    finally:
        grader.close()
        protocol.flush()


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip torch's slow interpreter teardown
