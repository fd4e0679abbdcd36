"""The cyclic collector is paused for a bulk operation and left as it was found, error or not."""

from __future__ import annotations

import gc

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
