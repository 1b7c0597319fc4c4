"""Instructor tools for the nbgrader course: building it (nbgrader_course) and grading it."""
