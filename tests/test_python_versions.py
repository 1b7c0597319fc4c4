"""The kit runs on every CPython torch publishes wheels for, 3.10 and up: no newer syntax or stdlib."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from grader.catalog import kit

OLDEST = (3, 10)


def test_requires_python_says_the_oldest_supported_version():
    text = (kit.KIT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'requires-python = ">={OLDEST[0]}.{OLDEST[1]}"' in text
    assert 'tomli>=1.1; python_version < \\"3.11\\"' in text  # tomllib's backport where tomllib is missing


def test_no_code_needs_a_python_newer_than_the_oldest_supported():
    pytest.importorskip("vermin")
    folders = [str(kit.KIT_ROOT / name) for name in ("grader", "solutions", "exercises", "benchmarks")]
    # `.long()` is torch's Tensor.long, not Python 2's long
    process = subprocess.run([sys.executable, "-c", "import sys; from vermin import main; sys.exit(main())", f"-t={OLDEST[0]}.{OLDEST[1]}-", "--no-tips",
                              "--violations", "--exclude", "long", "-p", "2", *folders],
                             capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-1000:]
    found = re.search(r"Minimum required versions: 3\.(\d+)", process.stdout)
    assert found and int(found.group(1)) <= OLDEST[1], process.stdout[-2000:]


def test_no_command_line_flag_newer_than_the_oldest_supported():
    """vermin reads code, not argv: `python -P` (3.11) in a subprocess call would break Python 3.10."""
    offenders = []
    for path in sorted((kit.KIT_ROOT / "grader").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"sys\.executable,\s*\"-[A-Za-z]*P", line):
                offenders.append(f"{path.name}:{number}")
    assert not offenders, offenders
