"""The exercise ex02_cost: its metadata, checks, mistake variants, probes and translations."""
