"""Write a compared service's operations as a revision file, through Alembic itself.

Alembic's ``RevisionContext`` renders the operations (imports of custom types, batch mode on
SQLite, ``op.f()`` names from the naming convention) into the service's own
``script.py.mako`` and ``ScriptDirectory.generate_revision`` names and writes the file (the
ini's ``file_template``, post-write hooks). The operations, already computed from the shared
reflection, are handed over through ``process_revision_directives``, Alembic's documented
hook for supplying a revision's directives. ``requires`` reaches the template as a template
argument; the file is read back to make sure the template wrote it. A foreign key to a table
the revision creates later (tables referencing each other) is moved after every create_table,
and tables are dropped referencing ones first, which Alembic's autogenerate does not do.
"""
from __future__ import annotations

from argparse import Namespace
from pathlib import Path

import networkx as nx
from alembic.autogenerate import RevisionContext
from alembic.operations import ops
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import ForeignKeyConstraint, MetaData

from orchestrator.config.service import Service
from orchestrator.core.errors import GenerationRefused
from orchestrator.history.revisions import Requirement, read_revision_file
from orchestrator.runtime.migration_options import migration_options
from orchestrator.workspace.ownership import OwnershipRegistry


def write_revision(
    service: Service,
    metadata: MetaData,
    ownership: OwnershipRegistry,
    dialect_name: str,
    *,
    revision: str,
    message: str,
    script: ops.MigrationScript,
    requires: list[Requirement],
) -> Path:
    """Write one revision on top of the service's head; return its path."""
    service.require_template()
    cyclic_keys = order_table_drops(script)
    if dialect_name != "sqlite":  # SQLite checks no foreign key at CREATE/DROP TABLE
        defer_forward_foreign_keys(script)
        break_key_cycles(script, cyclic_keys)
    config = service.alembic_config()
    config.cmd_opts = Namespace(quiet=True)  # orchestrate reports what it wrote itself
    directory = ScriptDirectory.from_config(config)
    environment = EnvironmentContext(config, directory)
    options = migration_options(service, metadata, ownership, dialect_name)
    # the workspace's process_revision_directives hooks ran on the comparison already
    options["process_revision_directives"] = None
    environment.configure(dialect_name=dialect_name, **options)

    def supply_operations(_context: object, _revision: object,
                          directives: list[ops.MigrationScript]) -> None:
        directives[0].upgrade_ops.ops[:] = script.upgrade_ops.ops
        directives[0].downgrade_ops.ops[:] = script.downgrade_ops.ops

    context = RevisionContext(
        config, directory,
        {"message": message, "rev_id": revision, "head": "head", "splice": False,
         "branch_label": None, "version_path": None, "depends_on": None},
        process_revision_directives=supply_operations,
    )
    context.template_args["requires"] = [str(r) for r in requires]
    context.run_no_autogenerate("head", environment.get_context())
    written = [s for s in context.generate_scripts() if s is not None]
    path = Path(written[0].path)
    _verify_requires(service, path, requires)
    return path


def defer_forward_foreign_keys(script: ops.MigrationScript) -> None:
    """A foreign key to a table the revision only creates later (tables whose keys form a
    cycle: ``users.team_id`` and ``teams.captain_id``) cannot be in its CREATE TABLE: Alembic
    writes it inline all the same, and the revision fails on an empty database. Such a key is
    created once every table exists (``create_foreign_key``), and dropped first on the way
    down."""
    upgrade = script.upgrade_ops.ops
    pending = {op.table_name for op in upgrade if isinstance(op, ops.CreateTableOp)}
    deferred: list[ForeignKeyConstraint] = []
    for op in upgrade:
        if not isinstance(op, ops.CreateTableOp):
            continue
        pending.discard(op.table_name)  # a key to the table itself is fine
        forward = [c for c in op.columns if isinstance(c, ForeignKeyConstraint)
                   and c.elements[0].column.table.name in pending]
        op.columns = [c for c in op.columns if not any(c is f for f in forward)]
        deferred += forward
    upgrade += [ops.ModifyTableOps(fk.table.name, [ops.CreateForeignKeyOp.from_constraint(fk)])
                for fk in deferred]
    script.downgrade_ops.ops[:0] = [
        ops.ModifyTableOps(fk.table.name, [ops.DropConstraintOp.from_constraint(fk)])
        for fk in deferred]


def order_table_drops(script: ops.MigrationScript) -> list[ForeignKeyConstraint]:
    """Alembic lists the tables a revision drops in no particular order: a table still
    referenced by one dropped after it makes PostgreSQL refuse the DROP. Dropped tables go
    referencing ones first, and the downgrade creates them back referenced ones first (the
    other operations keep their places). Tables whose keys form a cycle keep Alembic's order
    among themselves; those keys are returned (see :func:`break_key_cycles`)."""
    dropped = {_key(op.schema, op.table_name): op for op in script.upgrade_ops.ops
               if isinstance(op, ops.DropTableOp)}
    graph = nx.DiGraph()
    graph.add_nodes_from(dropped)
    for key, op in dropped.items():
        for fk in op.to_table().foreign_key_constraints:
            referred = fk.elements[0].target_fullname.rsplit(".", 1)[0]
            if referred in dropped and referred != key:
                graph.add_edge(key, referred)  # drop the referencing table first
                graph.edges[key, referred].setdefault("keys", []).append(fk)
    # tables whose keys form a cycle stay together, in Alembic's order
    components = nx.condensation(graph)
    order = [key for component in nx.lexicographical_topological_sort(
                 components, key=lambda c: min(components.nodes[c]["members"]))
             for key in dropped if key in components.nodes[component]["members"]]
    _reorder(script.upgrade_ops.ops, ops.DropTableOp, order)
    _reorder(script.downgrade_ops.ops, ops.CreateTableOp, order[::-1])
    mapping = components.graph["mapping"]
    return [fk for a, b, keys in graph.edges(data="keys")
            if mapping[a] == mapping[b] for fk in keys]


def break_key_cycles(script: ops.MigrationScript, keys: list[ForeignKeyConstraint]) -> None:
    """Keys between dropped tables that reference each other are dropped before the first
    drop_table; the downgrade creates the tables without them and adds them once all exist.
    Unnamed keys (nothing to drop them by) leave the revision as it is."""
    if not keys or any(fk.name is None for fk in keys):
        return
    upgrade = script.upgrade_ops.ops
    first = next(i for i, op in enumerate(upgrade) if isinstance(op, ops.DropTableOp))
    upgrade[first:first] = [
        ops.ModifyTableOps(fk.table.name, [ops.DropConstraintOp.from_constraint(fk)],
                           schema=fk.table.schema) for fk in keys]
    names = {fk.name for fk in keys}
    for op in script.downgrade_ops.ops:
        if isinstance(op, ops.CreateTableOp):
            op.columns = [c for c in op.columns
                          if not (isinstance(c, ForeignKeyConstraint) and c.name in names)]
    script.downgrade_ops.ops += [
        ops.ModifyTableOps(fk.table.name, [ops.CreateForeignKeyOp.from_constraint(fk)],
                           schema=fk.table.schema) for fk in keys]


def _key(schema: str | None, table: str) -> str:
    return f"{schema}.{table}" if schema else table


def _reorder(operations: list[ops.MigrateOperation], kind: type, order: list[str]) -> None:
    """Put the ``kind`` operations on the tables of ``order`` in that order, in the slots
    they already take."""
    slots = [i for i, op in enumerate(operations)
             if isinstance(op, kind) and _key(op.schema, op.table_name) in order]
    moved = sorted((operations[i] for i in slots),
                   key=lambda op: order.index(_key(op.schema, op.table_name)))
    for i, op in zip(slots, moved, strict=True):
        operations[i] = op


def _verify_requires(service: Service, path: Path, requires: list[Requirement]) -> None:
    """The template must render ``requires``; a revision missing them would apply too early."""
    revision = read_revision_file(service.name, path)
    if revision is not None and set(revision.requires) == set(requires):
        return
    path.unlink(missing_ok=True)
    raise GenerationRefused(
        f"service {service.name!r}: {service.template} does not "
        f"write `requires`, so the revision needing {', '.join(map(str, requires))} was not "
        "kept. Add this line to the template, below depends_on: "
        "requires: list[str] = ${repr(list(requires)) if requires else \"[]\"}"
    )
