"""`grade run EXERCISE --plot`: the learner's training run beside the reference's, on the same data.

The runs come from the `training_curve` probe (grader/probes/shared.py and each exercise's probes.py): the learner's
through a confined worker (`LearnerModule.probe`), the reference's through the oracle. Each is
drawn in the terminal and as a PNG beside the exercise (with a JSON of the plotted data), and the
first update where the two part by more than the tolerance is marked and named.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from grader.learner.text import tr

RTOL, ATOL = 1e-3, 1e-5  # curves closer than this are the same curve (float rounding differs between solutions)
SERIES = ("loss", "W", "b")

TEXT = {
    "loss": "loss",
    "W": "weight W",
    "b": "bias b",
    "yours": "yours",
    "reference": "reference",
    "update": "update",
    "title": "{exercise}: {function}() on fixed data, yours beside the reference",
    "same": "Your {function}() follows the reference, update by update.",
    "parts": "Your {function}() parts from the reference at update {update} ({series}: yours {yours}, reference {reference}).",
    "failed": "Your {function}() could not be drawn: {problem}",
    "no_reference": "The reference run of {function}() is not available here: {problem}",
    "wrote": "wrote {path}",
    "no_matplotlib": "No PNG: matplotlib is not installed (pip install -e \".[plot]\").",
    "not_training": "--plot draws training exercises only; {exercise} has no training curve.",
    "none": "none",
    "both": "both",
}


@dataclass
class Run:
    """One training function's curves: the learner's, the reference's, and where they part."""

    exercise: str
    function: str
    yours: dict | None = None
    reference: dict | None = None
    problem: str | None = None  # why the learner's run is missing (one line)
    reference_problem: str | None = None
    difference: dict | None = field(default=None)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= ATOL + RTOL * abs(b)


def first_difference(yours: dict, reference: dict) -> dict | None:
    """The first update (1-based) where a series of `yours` and `reference` differ, or None."""
    found = None
    for series in SERIES:
        if series not in reference:
            continue
        mine, theirs = yours.get(series, []), reference[series]
        for i in range(max(len(mine), len(theirs))):
            a = mine[i] if i < len(mine) else None
            b = theirs[i] if i < len(theirs) else None
            if not _close(a, b):
                if found is None or i + 1 < found["update"]:
                    found = {"update": i + 1, "series": series, "yours": a, "reference": b}
                break
    return found


def _one_line(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return " ".join(text.split()) or type(exc).__name__


def collect(exercises: list, folder: Path, zygote: Any, oracle: Any) -> list[Run]:
    """Run the curve probe for the learner (confined worker) and the reference (oracle) per training exercise."""
    from grader.probes.shared import CURVES
    from grader.sandbox.client import LearnerModule

    runs = []
    for exercise in exercises:
        if exercise.id not in CURVES:
            continue
        learner = LearnerModule(zygote=zygote, path=Path(folder) / exercise.filename, name=exercise.id,
                                budget=exercise.budget, call_timeout=exercise.call_timeout, monitor=False)
        try:
            for function, config in CURVES[exercise.id]:
                run = Run(exercise.id, function)
                try:
                    run.yours = learner.probe("training_curve", exercise.id, function, config, function=function).value
                except Exception as exc:  # noqa: BLE001 - the learner's error or timeout is one line, not a traceback
                    run.problem = _one_line(exc)
                try:
                    run.reference = oracle.probe(exercise.id, "training_curve", exercise.id, function, config)
                except Exception as exc:  # noqa: BLE001 - e.g. a student kit without this recorded run
                    run.reference_problem = _one_line(exc)
                if run.yours is not None and run.reference is not None:
                    run.difference = first_difference(run.yours, run.reference)
                runs.append(run)
        finally:
            learner.close()
    return runs


def _number(value: float | None) -> str:
    return tr(TEXT["none"]) if value is None else f"{value:.4g}"


def summary(run: Run) -> str:
    if run.problem is not None:
        return tr(TEXT["failed"], function=run.function, problem=run.problem)
    if run.reference is None:
        return tr(TEXT["no_reference"], function=run.function, problem=run.reference_problem)
    if run.difference is None:
        return tr(TEXT["same"], function=run.function)
    d = run.difference
    return tr(TEXT["parts"], function=run.function, update=d["update"], series=tr(TEXT[d["series"]]),
              yours=_number(d["yours"]), reference=_number(d["reference"]))


def _series(run: Run) -> list[str]:
    have = run.reference or run.yours or {}
    return [s for s in SERIES if s in have]


def _finite(values: list) -> list[tuple[int, float]]:
    return [(i + 1, v) for i, v in enumerate(values or []) if v is not None and math.isfinite(v)]


def text_chart(title: str, curves: list[tuple[str, str, list]], mark: int | None, width: int = 60,
               height: int = 10) -> list[str]:
    """A small chart in plain characters: each curve (label, symbol, values) over updates; `|` marks `mark`."""
    points = [(label, symbol, _finite(values)) for label, symbol, values in curves]
    every = [p for _, _, found in points for p in found]
    if not every:
        return [title]
    top, bottom = max(v for _, v in every), min(v for _, v in every)
    last = max(i for i, _ in every)
    span = (top - bottom) or 1.0
    grid = [[" "] * width for _ in range(height)]

    def column(update: int) -> int:
        return 0 if last <= 1 else round((update - 1) * (width - 1) / (last - 1))

    if mark is not None and mark <= last:
        for row in grid:
            row[column(mark)] = "|"
    symbols = {symbol for _, symbol, _ in points}
    for _, symbol, found in points:
        for update, value in found:
            row, col = height - 1 - round((value - bottom) * (height - 1) / span), column(update)
            grid[row][col] = "*" if grid[row][col] in symbols - {symbol} else symbol
    legend = "   ".join([f"{symbol} {label}" for label, symbol, _ in points]
                       + (["* " + tr(TEXT["both"])] if any("*" in row for row in grid) else []))
    lines = [f"{title}   ({legend})"]
    for r, row in enumerate(grid):
        axis = f"{top:>9.3g} " if r == 0 else f"{bottom:>9.3g} " if r == height - 1 else " " * 10
        lines.append(axis + "┤" + "".join(row))
    lines.append(" " * 10 + "└" + "─" * width)
    lines.append(" " * 11 + f"1{tr(TEXT['update']):^{width - len(str(last)) - 1}}{last}")
    return lines


def _plotext_chart(title: str, curves: list[tuple[str, str, list]], mark: int | None, colour: bool) -> list[str] | None:
    """The chart drawn by plotext's classic interface, when that is what is installed."""
    try:
        import plotext as plt
    except ImportError:
        return None
    needed = ("plot", "build", "clf", "plotsize", "title", "xlabel")
    if not all(hasattr(plt, name) for name in needed):
        return None
    try:
        plt.clf()
        plt.plotsize(72, 16)
        if not colour and hasattr(plt, "theme"):
            plt.theme("clear")
        for label, _, values in curves:
            found = _finite(values)
            if found:
                plt.plot([i for i, _ in found], [v for _, v in found], label=label)
        if mark is not None and hasattr(plt, "vline"):
            plt.vline(mark)
        plt.title(title)
        plt.xlabel(tr(TEXT["update"]))
        return plt.build().splitlines()
    except Exception:  # noqa: BLE001 - a plotting library's trouble falls back to the plain chart
        return None


def terminal_lines(run: Run, colour: bool = False) -> list[str]:
    lines = [tr(TEXT["title"], exercise=run.exercise, function=run.function)]
    mark = run.difference["update"] if run.difference else None
    for series in _series(run):
        curves = []
        if run.yours is not None:
            curves.append((tr(TEXT["yours"]), "o", run.yours.get(series, [])))
        if run.reference is not None:
            curves.append((tr(TEXT["reference"]), "·", run.reference.get(series, [])))
        title = tr(TEXT[series])
        lines += _plotext_chart(title, curves, mark, colour) or text_chart(title, curves, mark)
    lines.append(summary(run))
    return lines


def _plain(values: list | None) -> list | None:
    return None if values is None else [v if v is not None and math.isfinite(v) else None for v in values]


def sidecar(runs: list[Run]) -> dict:
    """The plotted data, as written beside the PNG."""
    return {
        "exercise": runs[0].exercise,
        "tolerance": {"rtol": RTOL, "atol": ATOL},
        "runs": [{
            "function": run.function,
            "yours": None if run.yours is None else {k: _plain(v) for k, v in run.yours.items()},
            "reference": None if run.reference is None else {k: _plain(v) for k, v in run.reference.items()},
            "first_difference": run.difference,
            "problem": run.problem,
        } for run in runs],
    }


def write_png(runs: list[Run], path: Path) -> Path:
    """One row per training function, one panel per series; raises ImportError without matplotlib."""
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    columns = max(len(_series(run)) for run in runs) or 1
    figure = Figure(figsize=(4.2 * columns, 3.2 * len(runs)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(runs), columns, squeeze=False)
    for row, run in zip(axes, runs):
        for ax, series in zip(row, _series(run)):
            for label, values, style in ((tr(TEXT["yours"]), run.yours, "o-"),
                                         (tr(TEXT["reference"]), run.reference, "--")):
                found = _finite((values or {}).get(series, []))
                if found:
                    ax.plot([i for i, _ in found], [v for _, v in found], style, label=label, markersize=3)
            if run.difference is not None:
                ax.axvline(run.difference["update"], color="red", linewidth=1)
            ax.set_title(f"{run.function}(): {tr(TEXT[series])}")
            ax.set_xlabel(tr(TEXT["update"]))
            ax.legend()
        for ax in row[len(_series(run)):]:
            ax.set_visible(False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a font without Korean glyphs must not flood the terminal
        figure.savefig(path, dpi=100)
    return path


def show(runs: list[Run], folder: Path, echo: Callable[[str], Any], colour: bool = False,
         terminal: bool = True) -> list[Path]:
    """Draw every run in the terminal, write <exercise>.plot.png and .plot.json beside the exercise."""
    written = []
    by_exercise: dict[str, list[Run]] = {}
    for run in runs:
        by_exercise.setdefault(run.exercise, []).append(run)
    for exercise, own in by_exercise.items():
        for run in own:
            for line in (terminal_lines(run, colour) if terminal else [summary(run)]):
                echo(line)
        data = Path(folder) / f"{exercise}.plot.json"
        data.write_text(json.dumps(sidecar(own), indent=1) + "\n", encoding="utf-8")
        drawable = [run for run in own if run.yours is not None or run.reference is not None]
        if not drawable:
            continue
        try:
            written.append(write_png(drawable, Path(folder) / f"{exercise}.plot.png"))
            echo(tr(TEXT["wrote"], path=written[-1]))
        except ImportError:
            echo(tr(TEXT["no_matplotlib"]))
    return written


def not_training(exercises: list) -> list[str]:
    from grader.probes.shared import CURVES

    if any(e.id in CURVES for e in exercises):
        return []
    return [tr(TEXT["not_training"], exercise=e.id) for e in exercises]
