"""The cross-service ``requires`` of a generated revision, from its new foreign keys and enums.

As Django's autodetector adds a dependency on the migration that created a referenced model, a
revision whose operations create a foreign key to another service's table requires the
revision of that service that created the table: one generated in the same run, else the
latest one in its history creating (or renaming into) the table, else, when the table exists
but its creation cannot be read from the history, that service's head.

A column using a native enum type that another service creates (``postgresql.ENUM(...,
create_type=False)``) requires that service's revision creating the type in the same run, else
its head, which has it when the type is in the database already.

Such a requirement cannot close a cycle in the revision DAG unless two services' new tables
point at each other, which is a cycle of the service graph that ``generate`` refuses (with
the foreign keys that make it) before comparing anything.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from alembic.operations import ops
from alembic_postgresql_enum.operations import CreateEnumOp
from sqlalchemy import Column, ForeignKeyConstraint

from orchestrator.autogenerate.autodetect import operations
from orchestrator.core.errors import GenerationRefused
from orchestrator.history.revisions import Requirement, ServiceHistory
from orchestrator.workspace.enum_types import native_enum
from orchestrator.workspace.ownership import OwnershipRegistry, table_key


@dataclass(frozen=True)
class ForeignKeyTarget:
    """A foreign key a generated operation creates: ``orders.group_id -> user_groups``."""

    table: str
    columns: tuple[str, ...]
    target: str

    def __str__(self) -> str:
        return f"{self.table}({', '.join(self.columns)}) -> {self.target}"


@dataclass
class PlannedRevision:
    """A revision about to be written, as the requirement and cycle checks need to see it."""

    service: str
    revision: str
    down_revisions: tuple[str, ...]
    creates: frozenset[str]
    foreign_keys: list[ForeignKeyTarget]
    requires: list[Requirement] = field(default_factory=list)
    enums: frozenset[str] = frozenset()  # native enum types its columns use
    creates_enums: frozenset[str] = frozenset()


def new_foreign_keys(upgrade_ops: ops.UpgradeOps) -> list[ForeignKeyTarget]:
    """Foreign keys created by ``create_table``, ``add_column`` and ``create_foreign_key``."""
    found: list[ForeignKeyTarget] = []
    for op in operations(upgrade_ops):
        if isinstance(op, ops.CreateTableOp):
            for item in op.columns:
                if isinstance(item, ForeignKeyConstraint):
                    found.append(ForeignKeyTarget(
                        op.table_name, tuple(item.column_keys),
                        _table_of(item.elements[0].target_fullname)))
                for fk in getattr(item, "foreign_keys", ()):
                    found.append(ForeignKeyTarget(op.table_name, (item.name,),
                                                  _table_of(fk.target_fullname)))
        elif isinstance(op, ops.AddColumnOp):
            for fk in op.column.foreign_keys:
                found.append(ForeignKeyTarget(op.table_name, (op.column.name,),
                                              _table_of(fk.target_fullname)))
        elif isinstance(op, ops.CreateForeignKeyOp):
            schema = op.kw.get("referent_schema")
            target = f"{schema}.{op.referent_table}" if schema else op.referent_table
            found.append(ForeignKeyTarget(op.source_table, tuple(op.local_cols), target))
    return list(dict.fromkeys(found))


def used_enums(upgrade_ops: ops.UpgradeOps) -> frozenset[str]:
    """The native enum types of the columns that ``create_table``/``add_column`` create."""
    columns: list = []
    for op in operations(upgrade_ops):
        if isinstance(op, ops.CreateTableOp):
            columns += [c for c in op.columns if isinstance(c, Column)]
        elif isinstance(op, ops.AddColumnOp):
            columns.append(op.column)
    return frozenset(found[0].name for c in columns if (found := native_enum(c.type)))


def created_enums(upgrade_ops: ops.UpgradeOps) -> frozenset[str]:
    return frozenset(op.name for op in operations(upgrade_ops) if isinstance(op, CreateEnumOp))


def created_tables(upgrade_ops: ops.UpgradeOps) -> frozenset[str]:
    return frozenset(table_key(op.table_name, op.schema) for op in operations(upgrade_ops)
                     if isinstance(op, ops.CreateTableOp))


def creating_revision(history: ServiceHistory, table: str) -> str | None:
    """The latest revision creating ``table`` (or renaming a table to it), if still standing."""
    for rev in reversed(history.order):
        for kind, name, new_name in reversed(history.table_operations(rev)):
            if (kind == "create_table" and name == table) or (
                    kind == "rename_table" and new_name == table):
                return rev
            if kind in ("drop_table", "rename_table") and name == table:
                return None
    return None


def resolve_requirements(
    planned: Mapping[str, PlannedRevision],
    histories: Mapping[str, ServiceHistory],
    ownership: OwnershipRegistry,
    existing_tables: Collection[str],
    existing_enums: Collection[str] = (),
) -> None:
    """Fill ``requires`` of every planned revision; refuse what cannot be satisfied."""
    for plan in planned.values():
        needed: dict[Requirement, None] = {}
        for fk in plan.foreign_keys:
            owner = ownership.owner(fk.target)
            if owner is None or owner == plan.service:
                continue
            needed[_requirement(plan, fk, owner, planned, histories[owner],
                                existing_tables)] = None
        for enum in sorted(plan.enums):
            owner = ownership.enum_owner(enum)
            if owner is not None and owner != plan.service:
                needed[_enum_requirement(plan, enum, owner, planned, histories[owner],
                                         existing_enums)] = None
        plan.requires = sorted(needed, key=str)


def _enum_requirement(plan: PlannedRevision, enum: str, owner: str,
                      planned: Mapping[str, PlannedRevision], history: ServiceHistory,
                      existing_enums: Collection[str]) -> Requirement:
    other = planned.get(owner)
    if other is not None and enum in other.creates_enums:
        return Requirement(owner, other.revision)
    if enum not in existing_enums or len(history.heads) != 1:
        raise GenerationRefused(
            f"service {plan.service!r} uses enum type {enum!r} of service {owner!r}, which "
            f"the database does not have and no revision generated now creates. Generate "
            f"both in one run: `orchestrate generate {owner} {plan.service} -m ...`"
        )
    return Requirement(owner, history.heads[0])


def _requirement(plan: PlannedRevision, fk: ForeignKeyTarget, owner: str,
                 planned: Mapping[str, PlannedRevision], history: ServiceHistory,
                 existing_tables: Collection[str]) -> Requirement:
    other = planned.get(owner)
    if other is not None and fk.target in other.creates:
        return Requirement(owner, other.revision)
    creator = creating_revision(history, fk.target)
    if creator is not None:
        return Requirement(owner, creator)
    where = f"service {plan.service!r}: the new foreign key {fk}"
    if fk.target not in existing_tables:
        raise GenerationRefused(
            f"{where} needs table {fk.target!r} of service {owner!r}, which neither the "
            f"database nor any revision of {owner} has yet. Generate both in one run: "
            f"`orchestrate generate {owner} {plan.service} -m ...`"
        )
    if len(history.heads) != 1:
        raise GenerationRefused(
            f"{where} must require the revision of service {owner!r} that created "
            f"{fk.target!r}; none of its revisions visibly creates it and it has "
            f"{len(history.heads)} heads ({', '.join(history.heads) or 'none'}) to fall back "
            f"on. Merge them first: `orchestrate merge {owner}`"
        )
    return Requirement(owner, history.heads[0])


def _table_of(target_fullname: str) -> str:
    return target_fullname.rsplit(".", 1)[0]
