"""PNG plots of a class summary, when matplotlib is installed (`pip install 'torch-exercise-kit[plot]'`)."""

from __future__ import annotations

from pathlib import Path


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def write_plots(summary: dict, out: Path, write_bytes) -> list[Path]:
    """scores.png (histogram of total scores) and mistakes.png (students per known mistake, by exercise)."""
    if not available():
        return []
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    written = []

    def save(figure, name: str) -> None:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
        plt.close(figure)
        path = out / name
        write_bytes(path, buffer.getvalue())
        written.append(path)

    scores = summary["scores"]
    figure, axes = plt.subplots(figsize=(7, 3.5))
    maximum = summary["max_score"] or 1
    width = maximum / len(scores["histogram"])
    axes.bar([i * width for i in range(len(scores["histogram"]))], scores["histogram"], width=width * 0.9,
             align="edge", color="#4c72b0")
    axes.set_xlabel(f"total score (out of {maximum:g})")
    axes.set_ylabel("students")
    axes.set_title(f"Scores of {scores['count']} students")
    save(figure, "scores.png")

    from grader.reporting.safetext import mathtext

    bars = [(mathtext(f"{e['id'][:4]} {m['mistake']}"), m["students"]) for e in summary["exercises"] for m in e["mistakes"]]
    bars.sort(key=lambda item: -item[1])
    bars = bars[:25]
    figure, axes = plt.subplots(figsize=(7, 0.35 * max(len(bars), 2) + 1))
    if bars:
        axes.barh([label for label, _ in reversed(bars)], [count for _, count in reversed(bars)], color="#dd8452")
    axes.set_xlabel("students")
    axes.set_title("Known mistakes" if bars else "No known mistake recognised")
    save(figure, "mistakes.png")
    return written
