"""The exercise ex07_linear_regression: its metadata, checks, mistake variants, probes and translations."""
