"""The exercise ex08_logistic_regression: its metadata, checks, mistake variants, probes and translations."""
