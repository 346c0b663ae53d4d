"""The collector pause around report rendering: paused inside, restored after, cycles freed."""

from __future__ import annotations

import gc
import weakref

import pytest

from cybercap.core.gcpause import collection_paused


class Node:
    def __init__(self) -> None:
        self.me = self


def test_the_collector_is_paused_inside_and_the_cycles_are_freed_after() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        cycle = Node()
        ref = weakref.ref(cycle)
        del cycle
        assert ref() is not None  # a cycle: reference counting alone cannot free it
    assert gc.isenabled()
    assert ref() is None


def test_nested_pauses_resume_only_at_the_outermost_and_errors_resume_too() -> None:
    with collection_paused():
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("rendering failed")
    assert gc.isenabled()


def test_a_collector_switched_off_by_someone_else_stays_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_as_a_decorator_each_call_is_paused() -> None:
    @collection_paused()
    def render() -> bool:
        return gc.isenabled()

    assert render() is False and render() is False
    assert gc.isenabled()
