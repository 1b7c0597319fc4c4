"""Constants more than one room needs, importable without torch (so `grade list` and `--help` stay fast)."""

DEFAULT_SEED = 20261123  # the seed of randomised checks when none is given: runs repeat exactly
