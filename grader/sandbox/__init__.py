"""The trust boundary: learner code runs only in worker processes, forked from a warm zygote or, where fork is missing, spawned and warmed (backend.py chooses)."""
