"""Fewer garbage-collector passes while services are compared.

A comparison builds and drops tens of thousands of short-lived SQLAlchemy objects while the
models of every service stay alive; with CPython's default thresholds the collector keeps
walking those long-lived objects and takes a third or more of the comparison's time. While
the comparison runs, the objects already alive are frozen (left out of collections) and the
youngest generation is collected less often; both are restored afterwards.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0


@contextmanager
def fewer_collections(threshold: int = 10_000) -> Iterator[None]:
    """Freeze what is alive and raise the first generation's threshold, for the duration."""
    global _depth
    _depth += 1
    if _depth > 1:
        try:
            yield
        finally:
            _depth -= 1
        return
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold, previous[0]), *previous[1:])
    try:
        yield
    finally:
        _depth -= 1
        gc.set_threshold(*previous)
        gc.unfreeze()
