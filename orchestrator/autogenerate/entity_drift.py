"""Drift of views, functions, sequences and the other objects beside tables.

A service's declared alembic_utils entities and its MetaData's sequences are compared with the
database by their own comparators, which propose creating what is missing. What they cannot
see is an object that exists and matches but that no revision creates: made by hand in one
database, absent from every database migrated properly. After the comparison, an object the
service declares, that no comparison proposes to create (so the database has it) and that none
of the service's revisions creates (``op.create_entity``, ``op.create_sequence``, or raw
``CREATE VIEW/FUNCTION/...`` naming it), is **unexplained**.
"""
from __future__ import annotations

from collections.abc import Iterable

from orchestrator.autogenerate.drift import Drift, expected_schema
from orchestrator.history.revisions import ServiceHistory
from orchestrator.history.sequence_operations import sequence_key

#: How alembic_utils' classes (and orchestrate's sequences) are named in drift messages.
KINDS = {"PGView": "view", "PGMaterializedView": "materialized view", "PGFunction": "function",
         "PGTrigger": "trigger", "PGPolicy": "policy", "PGExtension": "extension",
         "PGGrantTable": "grant", "Sequence": "sequence"}


def entity_drift(service: str, declared: Iterable[str], history: ServiceHistory,
                 proposed: Iterable[str]) -> list[Drift]:
    """The declared objects (ownership keys, ``PGView: public.v``) the database holds but no
    revision of ``service`` creates; ``proposed`` are the keys the comparison would create."""
    created = set(history.entity_claims()) | set(proposed)
    raw = {statement.name.rpartition(".")[2] for _, statement in expected_schema(history).sql
           if statement.verb.startswith("create") and statement.name}
    found = []
    for key in sorted(set(declared) - created):
        kind, _, name = key.partition(": ")
        bare = name.split("(")[0].split(" ")[0].rpartition(".")[2]
        if bare not in raw:
            found.append(Drift(service, KINDS.get(kind, kind), None, name, "unexplained"))
    return found


def proposed_keys(changes: Iterable[tuple[str, str | None]]) -> set[str]:
    """The ownership keys of what a comparison's changes (``(operation, object)``) create."""
    keys = set()
    for operation, name in changes:
        if operation == "create_entity" and name:
            keys.add(name)
        elif operation == "create_sequence" and name:
            keys.add(sequence_key(name, None))
    return keys
