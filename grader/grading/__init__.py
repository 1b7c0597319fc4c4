"""Grading: the runner and one orchestration of a run, the pytest plugin and fixtures, checks' helpers, oracles."""
