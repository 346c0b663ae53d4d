"""Pausing Python's cyclic garbage collector around a short, allocation-heavy job."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector paused, then collect once.

    Rendering a report creates about a million short-lived objects (WeasyPrint's boxes and
    layout state, matplotlib's artists). With the collector on, its passes keep walking those
    and every long-lived object of the process (Django, fonts, templates): a fifth of the time of
    a review report's PDF, measured with ``bench/bench_reports.py``. Reference counting still
    frees most objects as the block goes; the cycles left are collected at the end, from the
    young generations, where everything the block made still is. Nested and concurrent uses are
    safe: only the outermost pauses and resumes (a thread entering while another has paused
    the collector simply runs without a pause of its own).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)
