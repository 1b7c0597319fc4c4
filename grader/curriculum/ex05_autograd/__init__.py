"""The exercise ex05_autograd: its metadata, checks, mistake variants, probes and translations."""
