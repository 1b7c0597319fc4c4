"""One folder per exercise (grader/curriculum/<exercise_id>/), found by scanning: see grader/catalog/metadata.py."""
