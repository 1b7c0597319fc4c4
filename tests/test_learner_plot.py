"""`grade run EXERCISE --plot`: the learner's training run beside the reference's, through the sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli.group import main
from grader.grading.oracle import LiveOracle
from grader.probes.shared import CURVES

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "tests" / "corpus" / "mutants"


def _plot(tmp_path: Path, exercise: str, source: Path):
    shutil.copy(source, tmp_path / f"{exercise}.py")
    result = CliRunner().invoke(main, ["run", exercise, "--dir", str(tmp_path), "--plot"])
    data = tmp_path / f"{exercise}.plot.json"
    return result, json.loads(data.read_text(encoding="utf-8")) if data.exists() else None


@pytest.mark.parametrize("exercise", ["ex07_linear_regression", "ex10_minibatch"])
def test_plot_of_the_solution_writes_a_png_whose_data_is_the_probes_run(tmp_path, exercise):
    result, data = _plot(tmp_path, exercise, ROOT / "solutions" / f"{exercise}.py")
    assert result.exit_code == 0, result.output
    png = tmp_path / f"{exercise}.plot.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {png}" in result.output
    assert "follows the reference" in result.output
    oracle = LiveOracle()
    for run, (function, config) in zip(data["runs"], CURVES[exercise], strict=True):
        expected = oracle.probe(exercise, "training_curve", exercise, function, config)
        assert run["function"] == function
        assert run["reference"] == expected and run["yours"] == expected  # the plotted data is the probe's run
        assert run["first_difference"] is None
        assert set(expected) == {"loss", "W", "b"} and len(expected["loss"]) > 1


@pytest.mark.parametrize("mutant, update, series", [
    ("ex07_linear_regression/train_missing_zero_grad.py", 2, "W"),  # accumulated gradients: the 2nd update parts
    ("ex07_linear_regression/train_one_update_too_many.py", 1, "W"),  # train(epochs=1) already made 2 updates
])
def test_a_known_mistake_names_the_first_differing_update(tmp_path, mutant, update, series):
    result, data = _plot(tmp_path, "ex07_linear_regression", MUTANTS / mutant)
    assert result.exit_code == 1
    (run,) = data["runs"]
    assert run["first_difference"]["update"] == update and run["first_difference"]["series"] == series
    assert f"parts from the reference at update {update}" in result.output
    assert (tmp_path / "ex07_linear_regression.plot.png").exists()


def test_a_failing_learner_run_is_one_line(tmp_path):
    source = tmp_path / "src.py"
    source.write_text((ROOT / "solutions" / "ex07_linear_regression.py").read_text(encoding="utf-8")
                      + "\n\ndef train(x, y, lr=0.01, epochs=2000):\n    raise RuntimeError('boom')\n")
    result, data = _plot(tmp_path, "ex07_linear_regression", source)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if "could not be drawn" in line]
    assert len(lines) == 1 and "boom" in lines[0]
    assert data["runs"][0]["yours"] is None and data["runs"][0]["reference"]


def test_plot_of_an_exercise_without_training_says_so(tmp_path):
    result, data = _plot(tmp_path, "ex02_cost", ROOT / "solutions" / "ex02_cost.py")
    assert "--plot draws training exercises only" in result.output and data is None
