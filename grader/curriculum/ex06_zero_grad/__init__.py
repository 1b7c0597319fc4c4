"""The exercise ex06_zero_grad: its metadata, checks, mistake variants, probes and translations."""
