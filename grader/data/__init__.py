"""Data files shipped with the kit (e.g. the wine data for ex11), and how to find them."""

import pathlib


def kit_data_path(relative: str) -> pathlib.Path:
    """Return the absolute path of ``relative`` inside the kit's ``grader/data`` folder."""
    return pathlib.Path(__file__).resolve().parent / relative
