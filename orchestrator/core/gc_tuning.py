"""Garbage collection paced by the work instead of by CPython's allocation counters.

A comparison builds and drops tens of thousands of SQLAlchemy objects (reflected tables, their
columns and constraints, all in reference cycles) while the models of every service and the
reflected snapshot stay alive. With CPython's default thresholds the collector runs every few
hundred allocations and keeps re-walking the objects alive at that moment: on a 5,000-table
workspace that is a third of the comparison's time. Instead, while services are compared:

- what is alive when the work starts is frozen, left out of collections (``gc.freeze``), and so
  is everything alive once the models and the snapshot are loaded (:meth:`Pacer.settle`);
- automatic collection is off, and between two services (:meth:`Pacer.between`) a collection
  runs once enough new objects have piled up, which bounds the memory held by garbage; what
  survives it is frozen in turn, so no later collection walks it again: each collection walks
  only what was allocated since the previous one, never the long-lived heap.

At the end the remaining garbage is collected and everything restored; nested use leaves
the outermost pacer in charge. The setting is process-wide, as the collector is: a program
embedding orchestrate sees its own garbage collected at the same pace meanwhile.

A process that ends right after the work (the command line, which exits without tearing its
heap down) says so with :func:`process_exits_after`: then the last collection is skipped.
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
        """Leave everything alive now out of later collections (the models, the snapshot)."""
        gc.freeze()

    def between(self) -> None:
        """Between two units of work: collect when enough objects have accumulated, then
        freeze the survivors (results kept until the end), so they are walked once only."""
        if gc.get_count()[0] > self.budget:
            gc.collect()
            gc.freeze()


_active: list[Pacer] = []
_exit_follows: list[bool] = [False]


def process_exits_after() -> None:
    """The process ends right after the outermost pacing (``os._exit``, no heap teardown):
    the garbage left at its end is not collected, nothing is unfrozen, collection stays off."""
    _exit_follows[0] = True


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
        if not _exit_follows[0]:
            gc.collect()  # the last services' garbage (frozen objects are not walked)
            if not host_froze:
                gc.unfreeze()
            if was_enabled:
                gc.enable()
