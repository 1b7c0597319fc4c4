"""Output that never stops on a character the console cannot show (a Korean Windows redirects as cp949).

A Windows console is written in UTF-16 whatever its code page, but output redirected to a file or
a pipe is encoded with the locale's code page (cp949 on a Korean Windows), which has no ✓ or ✗:
printing the report would end in UnicodeEncodeError. Such a stream keeps its encoding (what the
program reading it expects) and shows a `?` for what that encoding lacks.
"""

from __future__ import annotations

import codecs
import sys


def tolerant_streams() -> None:
    """Make stdout and stderr replace what their encoding cannot encode (UTF-8 streams are left alone)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        try:
            if encoding and codecs.lookup(encoding).name != "utf-8" and getattr(stream, "errors", "") == "strict":
                stream.reconfigure(errors="replace")
        except (AttributeError, LookupError, ValueError, OSError):
            pass  # not a text stream we can reconfigure (a test's capture, a closed stream)
