"""The exercise ex03_manual_gradient: its metadata, checks, mistake variants, probes and translations."""
