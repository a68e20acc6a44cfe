from __future__ import annotations

import gc

import pytest

from crmkit.frames import paused_gc


def _fail_inside_nested_pauses() -> None:
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():  # nested: the inner exit does not switch it back on
            pass
        assert not gc.isenabled()
        raise RuntimeError("boom")


def test_paused_gc_restores_the_collector_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="boom"):
        _fail_inside_nested_pauses()
    assert gc.isenabled()


def test_paused_gc_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
