"""The trust boundary: learner code runs only in worker processes forked from a warm zygote."""
