"""The learner's loop around `grade run`: hints that unlock, progress, reset, watch mode and training curves."""
