"""The `grade` command and the machinery behind it: checks, sandbox, reports."""
