"""Garbage collection paced by the comparison instead of by CPython's allocation counters.

A comparison builds and drops tens of thousands of SQLAlchemy objects (reflected tables, their
columns and constraints, all in reference cycles) while the models of every service and the
reflected snapshot stay alive. With CPython's default thresholds the collector runs every few
hundred allocations and keeps re-walking the objects alive at that moment: on a 5,000-table
workspace that is a third of the comparison's time. Instead, while services are compared:

- what is alive when the comparison starts (the models) is frozen, left out of collections,
  and so is the snapshot once reflected (:meth:`Pacer.settle`);
- automatic collection is off, and between two services (:meth:`Pacer.between`) a collection
  runs once enough new objects have piled up, which bounds the memory held by garbage.

At the end the remaining garbage is collected and everything restored; nested use leaves
the outermost pacer in charge. The setting is process-wide, as the collector is: a program
embedding orchestrate sees its own garbage collected at the same pace meanwhile.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: New container objects allowed to pile up before a collection between two services.
BUDGET = 500_000


class Pacer:
    def __init__(self, budget: int) -> None:
        self.budget = budget

    def settle(self) -> None:
        """Leave everything alive now out of later collections (the reflected snapshot)."""
        gc.freeze()

    def between(self) -> None:
        """Between two comparisons: collect when enough objects have accumulated."""
        if gc.get_count()[0] > self.budget:
            gc.collect()


_active: list[Pacer] = []


@contextmanager
def paced_collections(budget: int = BUDGET) -> Iterator[Pacer]:
    if _active:
        yield _active[0]
        return
    pacer = Pacer(budget)
    was_enabled = gc.isenabled()
    host_froze = gc.get_freeze_count() > 0  # then the host's freezing is left as it is
    gc.freeze()
    gc.disable()
    _active.append(pacer)
    try:
        yield pacer
    finally:
        _active.clear()
        gc.collect()  # the last services' garbage (frozen objects are not walked): paid here
        if not host_froze:
            gc.unfreeze()
        if was_enabled:
            gc.enable()
