"""Python's cyclic garbage collector paused around the bulk operations (import, check, detection)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The cyclic collector paused for the block, restored as it was after.

    An import, a check or a detection makes millions of short-lived containers (rows, memo keys,
    first-name words, findings, pairs' reasons), each allocation counting towards a collection that
    walks every live object again: a tenth to a fifth of their time on a million identities. None of
    them holds a cycle, so reference counting alone frees them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to hand back this way
        return None
    return trim


_TRIM = _malloc_trim() if sys.platform.startswith("linux") else None


def hand_back() -> None:
    """Return the C heap's free pages to the system after a bulk stage freed its temporaries.

    glibc keeps freed blocks below its (growing) mmap threshold in the heap: after reading a table of
    millions of identities, the batches' arrays and the builder's dictionaries, all freed, still count
    in the resident memory that the next stage adds to (a tenth of a 1,000,000-identity detection's).
    """
    if _TRIM is not None:
        _TRIM(0)
