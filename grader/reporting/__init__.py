"""Reporting: the report (built once, complete) and its renderers."""
