"""Garbage collection paced by the comparison, and restored afterwards."""
from __future__ import annotations

import gc

from orchestrator.core.gc_tuning import paced_collections


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_collection_is_paced_inside_and_restored_after():
    assert gc.isenabled()
    with paced_collections(budget=1_000) as pacer:
        assert not gc.isenabled() and gc.get_freeze_count() > 0
        with paced_collections() as inner:
            assert inner is pacer  # the outermost pacer stays in charge
        assert not gc.isenabled()
        garbage = [Node() for _ in range(5_000)]
        del garbage
        assert gc.get_count()[0] > 1_000
        pacer.between()
        assert gc.get_count()[0] < 1_000
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_an_error_inside_still_restores_the_collector():
    try:
        with paced_collections():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_what_survives_a_paced_collection_is_never_walked_again():
    with paced_collections(budget=1_000) as pacer:
        frozen = gc.get_freeze_count()
        kept = [Node() for _ in range(2_000)]  # results kept until the end
        pacer.between()
        assert gc.get_freeze_count() >= frozen + len(kept)  # frozen: out of later collections
        assert gc.get_count()[0] < 1_000
    assert gc.isenabled() and gc.get_freeze_count() == 0
