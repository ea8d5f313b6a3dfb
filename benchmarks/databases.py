"""Throwaway databases for benchmarks and tests: created, yielded, dropped.

The implementation is the package's own (``orchestrator.runtime.throwaway``, which the pytest
plugin uses too); these are the names benchmarks and tests import.
"""
from __future__ import annotations

from orchestrator.runtime.throwaway import throwaway_database

throwaway_postgres = throwaway_database  # the name benchmarks use

__all__ = ["throwaway_database", "throwaway_postgres"]
