"""The exercise ex10_minibatch: its metadata, checks, mistake variants, probes and translations."""
