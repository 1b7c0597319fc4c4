"""The exercise ex01_hypothesis: its metadata, checks, mistake variants, probes and translations."""
