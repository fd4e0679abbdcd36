"""Fixed-width strings of digits (matricules, birthplaces) as numpy columns: the check and the
cross-record rules test millions of NIRs on their digits without a Python call per value."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def digit_rows(values: Sequence[str], width: int) -> np.ndarray:
    """Strings of `width` characters as a (len, width) int64 array of their digits, read on their
    code points: a character that is not an ASCII digit (a shorter string's padding too) falls
    outside 0-9."""
    points = np.array(values, dtype=f"<U{width}").view(np.uint32).reshape(-1, width)
    return points.astype(np.int64) - 48


def all_digits(rows: np.ndarray) -> np.ndarray:
    """Which rows of `digit_rows` are digits only."""
    out: np.ndarray = np.all((rows >= 0) & (rows <= 9), axis=1)
    return out


def numbers(rows: np.ndarray) -> np.ndarray:
    """Rows of digits as the integers they write (at most 18 digits: an int64)."""
    out: np.ndarray = rows @ 10 ** np.arange(rows.shape[1] - 1, -1, -1, dtype=np.int64)
    return out
