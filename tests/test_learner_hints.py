"""`grade hint`: one more tier per request, `--all` for every tier, state kept out of the learner's modules."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from grader.catalog import kit, metadata
from grader.cli.group import main


@pytest.fixture
def learner_kit(tmp_path, monkeypatch):
    """A learner's kit folder (exercises/ copied from the kit) as the current folder."""
    shutil.copytree(kit.KIT_ROOT / "exercises", tmp_path / "exercises")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _tiers(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("  ") and line[2].isdigit()]


def test_hint_tiers_unlock_one_per_request(learner_kit):
    runner = CliRunner()
    hints = metadata.load().get("ex02_cost").hints
    before = {p.name: p.read_bytes() for p in (learner_kit / "exercises").iterdir() if p.is_file()}
    for asked in range(1, len(hints) + 2):
        result = runner.invoke(main, ["hint", "cost"])
        assert result.exit_code == 0, result.output
        shown = min(asked, len(hints))
        assert _tiers(result.output) == [f"  {n}. {text}" for n, text in enumerate(hints[:shown], start=1)]
    assert result.output.splitlines()[-1] == "(that was the last hint for ex02_cost)"
    assert {p.name: p.read_bytes() for p in (learner_kit / "exercises").iterdir() if p.is_file()} == before
    assert (learner_kit / ".grade" / "state.json").is_file()
    assert (learner_kit / ".grade" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_hint_all_shows_every_tier_and_other_exercises_start_over(learner_kit):
    runner = CliRunner()
    catalog = metadata.load()
    first = runner.invoke(main, ["hint", "2"])
    assert len(_tiers(first.output)) == 1
    assert "run `grade hint ex02` again" in first.output
    every = runner.invoke(main, ["hint", "2", "--all"])
    assert len(_tiers(every.output)) == len(catalog.get("ex02_cost").hints)
    other = runner.invoke(main, ["hint", "ex03"])
    assert len(_tiers(other.output)) == 1


def test_broken_state_file_is_an_empty_state(learner_kit):
    (learner_kit / ".grade").mkdir()
    (learner_kit / ".grade" / "state.json").write_text("{not json")
    result = CliRunner().invoke(main, ["hint", "ex01"])
    assert result.exit_code == 0 and len(_tiers(result.output)) == 1
