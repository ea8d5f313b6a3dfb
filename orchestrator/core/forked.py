"""Work spread over processes forked from this one, which share its memory as it is now.

What is expensive to build and cheap to read (the models, a reflected snapshot) is built once,
then :func:`map_forked` forks workers that read it copy-on-write: nothing is pickled on the way
in, only each result on the way out. A worker ends with ``os._exit`` (multiprocessing's fork
start method), so the inherited heap is never torn down; the garbage collector stays as the
parent left it (frozen and paced: :mod:`orchestrator.core.gc_tuning`).

Fork from a thread that runs no event loop (``anyio.to_thread.run_sync``): a child may then run
an event loop of its own.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: The work of the workers being forked (inherited by fork, never pickled).
_WORK: list[Callable[[Any], Any]] = []


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_forked(work: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """``[work(item) for item in items]``, one forked process per item, results in order.

    ``work`` and whatever it reads are inherited; each result must pickle. A worker's exception
    is raised here (the first one, in item order).
    """
    if not items:
        return []
    _WORK.append(work)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(len(items), mp_context=context) as pool:
            futures = [pool.submit(_run, index, item) for index, item in enumerate(items)]
            return [future.result() for future in futures]
    finally:
        _WORK.clear()


def _run(_index: int, item: Any) -> Any:
    return _WORK[-1](item)


def balanced(items: Sequence[Item], weight: Callable[[Item], int], parts: int
             ) -> list[list[Item]]:
    """``items`` in at most ``parts`` groups of near-equal total weight (heaviest first to the
    lightest group); each group keeps the items' order, no group is empty."""
    groups: list[list[Item]] = [[] for _ in range(max(1, min(parts, len(items))))]
    loads = [0] * len(groups)
    position = {id(item): index for index, item in enumerate(items)}
    for item in sorted(items, key=weight, reverse=True):
        lightest = loads.index(min(loads))
        groups[lightest].append(item)
        loads[lightest] += weight(item)
    return [sorted(group, key=lambda item: position[id(item)]) for group in groups if group]
