"""The exercise ex11_optimizers: its metadata, checks, mistake variants, probes and translations."""
