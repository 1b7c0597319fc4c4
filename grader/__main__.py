"""`python -m grader` is the `grade` command."""

from grader.cli.group import entry

entry()
