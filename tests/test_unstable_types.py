"""Custom types whose repr would make every generated revision different (or invalid)."""
from __future__ import annotations

import itertools

import sqlalchemy as sa

from orchestrator.autogenerate.unstable_types import repr_problem
from shared_db.types import TenantId

_counter = itertools.count()


class Plain(sa.TypeDecorator):
    impl = sa.String(8)
    cache_ok = True


class AtAddress(sa.TypeDecorator):
    impl = sa.String(8)
    cache_ok = True
    __repr__ = object.__repr__


class Counting(sa.TypeDecorator):
    impl = sa.String(8)
    cache_ok = True

    def __repr__(self) -> str:
        return f"Counting({next(_counter)})"


class NotPython(sa.TypeDecorator):
    impl = sa.String(8)
    cache_ok = True

    def __repr__(self) -> str:
        return "<a string of 8>"


class Broken(sa.TypeDecorator):
    impl = sa.String(8)
    cache_ok = True

    def __repr__(self) -> str:
        raise RuntimeError("no repr today")


def test_stable_reprs_pass():
    assert repr_problem(TenantId()) is None
    assert repr_problem(Plain()) is None  # SQLAlchemy's generic repr: Plain()
    assert repr_problem(sa.Numeric(12, 2)) is None


def test_each_kind_of_unstable_repr_is_explained():
    assert repr_problem(AtAddress())[0] == "it shows a memory address"
    assert repr_problem(Counting())[0].startswith("it changes from one call to the next")
    assert repr_problem(NotPython()) == ("it is not a Python expression", "<a string of 8>")
    assert repr_problem(Broken()) == ("repr() raises RuntimeError: no repr today", "?")
