"""The cyclic collector is paused for a bulk operation and left as it was found, error or not."""

from __future__ import annotations

import gc
import sys

import numpy as np
import pytest

from ivo_app import collector


def test_paused_then_restored_even_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        assert not gc.isenabled()
        raise RuntimeError("annulé")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the caller turned it off: not ours to turn back on
    finally:
        gc.enable()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux only")
def test_freed_heap_is_handed_back_on_linux() -> None:
    # Many small blocks (below glibc's mmap threshold) freed stay in the heap until trimmed.
    def rss_kb() -> int:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

    assert collector._TRIM is not None
    blocks = [np.ones(4_000, dtype=np.int64) for _ in range(10_000)]  # 32 KB each: 320 MB in the heap
    del blocks[:-1]  # the last keeps the heap's top in place: free's own trimming cannot return the rest
    before = rss_kb()
    collector.hand_back()
    assert rss_kb() < before - 100_000  # more than 100 MB handed back
