"""Authoring: `grade dev new` scaffolds an exercise, `grade dev check` proves exercises right (see docs/authoring.md)."""
