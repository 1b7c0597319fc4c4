"""Class analytics from the per-student reports: pure functions from reports to summary.json and summary.md."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

from grader.reporting.safetext import markdown, table_cell

SCHEMA = "grade-batch-summary/1"
BINS = 10


def distribution(scores: list[float], maximum: float) -> dict[str, Any]:
    """Mean, quartiles, extremes and a 10-bin histogram over [0, maximum]."""
    if not scores:
        return {"count": 0, "mean": None, "median": None, "min": None, "max": None, "q1": None, "q3": None,
                "histogram": [0] * BINS}
    ordered = sorted(scores)
    quartiles = statistics.quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 3
    histogram = [0] * BINS
    for score in ordered:
        index = BINS - 1 if maximum <= 0 else min(int(score / maximum * BINS), BINS - 1)
        histogram[max(index, 0)] += 1
    return {"count": len(ordered), "mean": round(statistics.fmean(ordered), 4), "median": statistics.median(ordered),
            "min": ordered[0], "max": ordered[-1], "q1": round(quartiles[0], 4), "q3": round(quartiles[2], 4),
            "histogram": histogram}


def summarize(rows: list[dict], exercises: list[Any], catalog: Any, skipped: list[dict]) -> dict:
    """rows: {"student", "status", "problem", "report" (grade-report/1 or None)} per student, in order."""
    graded = [row for row in rows if row.get("report") is not None]
    statuses = Counter(row["status"] for row in rows)
    total_max = sum(e.points for e in exercises)
    per_exercise = []
    for exercise in exercises:
        scores, passing = [], 0
        mistakes: dict[str, set[str]] = defaultdict(set)
        checks: dict[str, dict] = {}
        for row in graded:
            found = next((e for e in row["report"]["exercises"] if e["id"] == exercise.id), None)
            if found is None:
                continue
            scores.append(found["score"])
            passing += found["status"] == "passed"
            for check in found["checks"]:
                entry = checks.setdefault(check["id"], {
                    "id": check["id"], "description": check["description"], "visibility": check["visibility"],
                    "max_points": check["max_points"], "students": 0, "failed": 0, "statuses": Counter()})
                entry["students"] += 1
                entry["failed"] += check["status"] != "passed"
                entry["statuses"][check["status"]] += 1
                if check.get("mistake"):
                    mistakes[check["mistake"]].add(row["student"])
        ranked = sorted(mistakes.items(), key=lambda item: (-len(item[1]), item[0]))
        per_exercise.append({
            "id": exercise.id, "title": exercise.title, "max_score": exercise.points,
            "students": len(scores), "passing": passing,
            "passing_share": round(passing / len(scores), 4) if scores else None,
            "scores": distribution(scores, exercise.points),
            "mistakes": [{"mistake": mistake, "students": len(who), "hint": catalog.hint_for(mistake)}
                         for mistake, who in ranked],
            "checks": [{**{k: v for k, v in entry.items() if k != "statuses"},
                        "failure_rate": round(entry["failed"] / entry["students"], 4) if entry["students"] else None,
                        "statuses": dict(sorted(entry["statuses"].items()))}
                       for entry in checks.values()],
        })
    totals = [row["report"]["score"] for row in graded]
    return {
        "schema": SCHEMA,
        "students": len(rows),
        "statuses": dict(sorted(statuses.items())),
        "max_score": total_max,
        "scores": distribution(totals, total_max),
        "exercises": per_exercise,
        "not_submissions": skipped,
        "problems": [{"student": row["student"], "status": row["status"], "reason": row["problem"]}
                     for row in rows if row.get("problem")],
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:g}"


def render_markdown(summary: dict) -> str:
    """summary.md: what a teacher reads first.

    Student names, reasons and entry names are escaped (a student controls them); ids, titles,
    descriptions and hints are the kit's own text.
    """
    scores = summary["scores"]
    lines = ["# Class summary", ""]
    run = summary.get("run")
    if run:
        lines += [f"Run {markdown(run['id'])}: started {markdown(run['started'])}, finished {markdown(run['finished'])} "
                  "(the files of an earlier run are in previous/).", ""]
    statuses = ", ".join(f"{count} {status}" for status, count in summary["statuses"].items()) or "none"
    lines.append(f"{summary['students']} students ({statuses}). Total score out of {_num(summary['max_score'])}: "
                 f"mean {_num(scores['mean'])}, median {_num(scores['median'])}, "
                 f"quartiles {_num(scores['q1'])}–{_num(scores['q3'])}, range {_num(scores['min'])}–{_num(scores['max'])}.")
    lines += ["", "## Exercises", "", "| exercise | passing | mean | median | max |", "|---|---:|---:|---:|---:|"]
    for exercise in summary["exercises"]:
        dist = exercise["scores"]
        lines.append(f"| {exercise['id']} | {exercise['passing']}/{exercise['students']} "
                     f"({_pct(exercise['passing_share'])}) | {_num(dist['mean'])} | {_num(dist['median'])} "
                     f"| {_num(exercise['max_score'])} |")
    lines += ["", "## Known mistakes, by number of students", ""]
    ranked = sorted(((m["students"], e["id"], m) for e in summary["exercises"] for m in e["mistakes"]),
                    key=lambda item: (-item[0], item[1], item[2]["mistake"]))
    if not ranked:
        lines.append("No known mistake was recognised.")
    for count, exercise_id, mistake in ranked:
        hint = f" — {mistake['hint']}" if mistake.get("hint") else ""
        lines.append(f"- {exercise_id}: `{mistake['mistake']}` — {count} student{'s' if count != 1 else ''}{hint}")
    lines += ["", "## Checks failed most often", "", "| exercise | check | failed | visibility |", "|---|---|---:|---|"]
    checks = sorted(((c["failure_rate"] or 0, e["id"], c) for e in summary["exercises"] for c in e["checks"]),
                    key=lambda item: (-item[0], item[1], item[2]["id"]))
    for rate, exercise_id, check in checks:
        lines.append(f"| {exercise_id} | {check['id']}: {table_cell(check['description'])} "
                     f"| {check['failed']}/{check['students']} ({_pct(rate)}) | {check['visibility']} |")
    if summary["problems"]:
        lines += ["", "## Submissions to look at (graded as zero, refused, in conflict or not graded)", ""]
        lines += [f"- {markdown(p['student'])} ({markdown(p['status'])}): {markdown(p['reason'])}"
                  for p in summary["problems"]]
    if summary["not_submissions"]:
        lines += ["", "## Not submissions", ""]
        lines += [f"- {markdown(s['name'])}: {markdown(s['reason'])}" for s in summary["not_submissions"]]
    return "\n".join(lines) + "\n"
