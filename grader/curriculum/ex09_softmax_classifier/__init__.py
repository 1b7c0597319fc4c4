"""The exercise ex09_softmax_classifier: its metadata, checks, mistake variants, probes and translations."""
