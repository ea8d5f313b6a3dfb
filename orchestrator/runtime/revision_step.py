"""Alembic's step for one revision, with its version-table rows written in a stable order.

Alembic picks the rows a merge deletes and an unmerge inserts out of a ``set``, so which row
is updated and which inserted or deleted changes with Python's string hashing from one run to
the next. The result is the same, but two ``--sql`` runs would print different scripts; sorted,
they print the same.
"""
from __future__ import annotations

from alembic.runtime.migration import RevisionStep
from alembic.script import ScriptDirectory


class StableRevisionStep(RevisionStep):
    def merge_branch_idents(self, heads: set[str]) -> tuple[list[str], str, str]:
        deleted, updated, to = super().merge_branch_idents(heads)
        *deleted, updated = sorted([*deleted, updated])
        return deleted, updated, to

    def unmerge_branch_idents(self, heads: set[str]) -> tuple[str, str, tuple[str, ...]]:
        source, updated, inserted = super().unmerge_branch_idents(heads)
        *inserted, updated = sorted([*inserted, updated])
        return source, updated, tuple(inserted)


def revision_step(script: ScriptDirectory, revision: str, upgrade: bool) -> RevisionStep:
    """The step running ``revision`` up (or down), as Alembic's own command would build it."""
    return StableRevisionStep(script.revision_map, script.get_revision(revision), upgrade)
