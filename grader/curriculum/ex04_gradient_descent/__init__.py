"""The exercise ex04_gradient_descent: its metadata, checks, mistake variants, probes and translations."""
