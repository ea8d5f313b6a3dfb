"""Who owns which table: one service, the workspace's ignore list, or nobody.

A service owns the tables of its MetaData (or the ``tables =`` list of its ini) plus the tables
its own migrations created and did not drop since. The second part is what lets a service's
autogenerate propose dropping a table removed from its models (Alembic issues #776, #1381)
while never touching another service's, an ignored or an unowned table.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from orchestrator.core.errors import OwnershipError

#: Tables of orchestrate and Alembic themselves: never owned, never diffed.
INTERNAL_PATTERNS: tuple[str, ...] = ("alembic_version", "alembic_version_*", "orchestrate_*")


def table_key(name: str, schema: str | None) -> str:
    """How a table is named in the registry: ``schema.name``, or ``name`` in the default schema."""
    return f"{schema}.{name}" if schema else name


class Ownership(str, Enum):
    OWNED = "owned"
    IGNORED = "ignored"
    INTERNAL = "internal"
    UNOWNED = "unowned"


@dataclass(frozen=True)
class Claim:
    """Why a service claims a table: ``models``, ``ini`` or ``history``."""

    service: str
    source: str


@dataclass(frozen=True)
class Overlap:
    """One table claimed by two services; the first claim holds until it is resolved."""

    table: str
    first: Claim
    second: Claim
    kind: str = "table"  # or "enum" (a native enum type both services create), or "entity"

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.table!r} is claimed by service {self.first.service!r} (from its "
            f"{self.first.source}) and by service {self.second.service!r} (from its "
            f"{self.second.source})"
        )


@dataclass
class OwnershipRegistry:
    owners: dict[str, Claim] = field(default_factory=dict)
    overlaps: list[Overlap] = field(default_factory=list)
    ignore: tuple[str, ...] = ()
    version_tables: frozenset[str] = frozenset()
    #: Native enum types by name: the service whose models create each (see enum_types).
    enum_owners: dict[str, Claim] = field(default_factory=dict)
    #: alembic_utils entities (views, functions, ...) by identity (see entities): the service
    #: declaring each, else the one whose migrations created it.
    entity_owners: dict[str, Claim] = field(default_factory=dict)
    #: Schemas a service owns whole (``schema =`` in its ini): every table in them is its own.
    schema_owners: dict[str, Claim] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        claims: Mapping[str, Iterable[tuple[str, str]]],
        ignore: Iterable[str] = (),
        version_tables: Iterable[str] = (),
        enum_claims: Mapping[str, Iterable[str]] | None = None,
        entity_claims: Mapping[str, Iterable[tuple[str, str]]] | None = None,
        schema_claims: Mapping[str, str] | None = None,
    ) -> OwnershipRegistry:
        """``claims`` maps a service to ``(table, source)`` pairs.

        ``source`` is ``models``, ``ini`` or ``history``. A history claim (the service's
        migrations created the table) only counts for tables no service's models or ini
        claim: that is how a table moves from one service to another. Any other table claimed
        by two services is an overlap naming both services and the table (see ``check``).
        ``entity_claims`` are the same for alembic_utils entities (``models`` or ``history``).
        """
        registry = cls(ignore=tuple(ignore), version_tables=frozenset(version_tables))
        for service, schema in sorted((schema_claims or {}).items()):
            claim = Claim(service, "ini (schema =)")
            held = registry.schema_owners.setdefault(schema, claim)
            if held != claim:
                registry.overlaps.append(Overlap(schema, held, claim, "schema"))
        registry._claim(registry.owners, claims, "table")
        registry._claim(registry.entity_owners, entity_claims or {}, "entity")
        for service in sorted(claims):  # a table declared in another service's schema
            for table, source in claims[service]:
                in_schema = registry.schema_owners.get(table.rpartition(".")[0])
                if source != "history" and in_schema and in_schema.service != service:
                    registry.overlaps.append(Overlap(table, in_schema, Claim(service, source)))
        for service in sorted(enum_claims or {}):
            for enum in sorted(set((enum_claims or {})[service])):
                claim = Claim(service, "models")
                held = registry.enum_owners.setdefault(enum, claim)
                if held != claim:
                    registry.overlaps.append(Overlap(enum, held, claim, "enum"))
        return registry

    def _claim(self, owners: dict[str, Claim],
               claims: Mapping[str, Iterable[tuple[str, str]]], kind: str) -> None:
        """Models and ini claims first, then history claims for what nobody else claims."""
        for weak in (False, True):
            for service in sorted(claims):
                for name, source in claims[service]:
                    if (source == "history") != weak:
                        continue
                    held = owners.get(name)
                    if held is None:
                        owners[name] = Claim(service, source)
                    elif held.service != service and (held.source == "history") == weak:
                        self.overlaps.append(Overlap(name, held, Claim(service, source), kind))

    def entities_of(self, service: str) -> frozenset[str]:
        """The identities of the alembic_utils entities ``service`` owns."""
        return frozenset(name for name, claim in self.entity_owners.items()
                         if claim.service == service)

    def check(self) -> OwnershipRegistry:
        """Raise when any table is claimed twice; the registry itself otherwise."""
        if self.overlaps:  # what is wrong first, one overlap a line, then the fix
            many = len(self.overlaps) > 1
            raise OwnershipError("\n".join([
                f"{len(self.overlaps)} tables or types are each claimed by two services"
                if many else str(self.overlaps[0]),
                *(str(overlap) for overlap in self.overlaps if many),
                *(f"fix: {fix}" for fix in dict.fromkeys(_RESOLVE[o.kind]
                                                         for o in self.overlaps)),
            ]))
        return self

    def enum_owner(self, name: str) -> str | None:
        """The service creating native enum type ``name``, if any service's models do."""
        claim = self.enum_owners.get(name)
        return claim.service if claim else None

    def owner(self, table: str) -> str | None:
        claim = self.owners.get(table) or self.schema_owners.get(table.rpartition(".")[0])
        return claim.service if claim else None

    def tables_of(self, service: str) -> frozenset[str]:
        """The tables ``service`` claims by name (a schema it owns holds more: :meth:`owns`)."""
        return self._by_service.get(service, frozenset())

    def schemas_of(self, service: str) -> frozenset[str]:
        return frozenset(s for s, claim in self.schema_owners.items() if claim.service == service)

    def owns(self, service: str, table: str) -> bool:
        """Whether ``table`` (a registry key) is ``service``'s: claimed, or in its schema."""
        return self.owner(table) == service and not self.is_internal(table)

    @cached_property
    def _by_service(self) -> dict[str, frozenset[str]]:
        """Tables per service, indexed once (asked for every service, often, on big workspaces)."""
        grouped: dict[str, set[str]] = {}
        for table, claim in self.owners.items():
            grouped.setdefault(claim.service, set()).add(table)
        return {service: frozenset(tables) for service, tables in grouped.items()}

    def classify(self, table: str) -> Ownership:
        if self.is_internal(table):
            return Ownership.INTERNAL
        if self.owner(table) is not None:
            return Ownership.OWNED
        if self.is_ignored(table):
            return Ownership.IGNORED
        return Ownership.UNOWNED

    def is_internal(self, table: str) -> bool:
        return (table.rpartition(".")[2] in self.version_tables
                or _matches(table, INTERNAL_PATTERNS))

    def is_ignored(self, table: str) -> bool:
        return _matches(table, self.ignore)

    def unowned(self, tables: Iterable[str]) -> list[str]:
        """The tables, from a database listing, that nobody owns and nothing ignores."""
        return sorted(t for t in tables if self.classify(t) is Ownership.UNOWNED)


_RESOLVE = {
    "table": "Every table must belong to exactly one service: remove it from one service's "
             "models, or restrict that service with `tables = ...` in its ini.",
    "enum": "Every enum type must be created by exactly one service: in the others, reference "
            "it with postgresql.ENUM(..., name=..., create_type=False).",
    "entity": "Every view, function, trigger, policy or extension must be declared by exactly "
              "one service: remove it from the other's `entities`.",
    "schema": "A schema declared with `schema =` belongs to one service: every table in it is "
              "that service's. Move the other service's tables to another schema.",
}


def _matches(table: str, patterns: Iterable[str]) -> bool:
    bare = table.rpartition(".")[2]
    return any(
        fnmatch.fnmatchcase(table, pattern) or fnmatch.fnmatchcase(bare, pattern)
        for pattern in patterns
    )
