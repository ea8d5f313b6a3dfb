"""What each service's models change, from one shared reflection, services compared at once.

:func:`detect_changes` reads the version tables and reflects every table the chosen services
own in one batch (:mod:`orchestrator.autogenerate.reflection`), then runs Alembic's own autogenerate
comparison for each service, configured with exactly :func:`migration_options`, with its
Inspector answering from that snapshot. The Inspector reaches Alembic through a small
autogenerate plugin (Alembic's documented extension point) that runs first and hands the
snapshot Inspector to the comparison; everything else is plain Alembic.

A service is only compared when its database revision is its head: otherwise the pending
revisions would show up as model changes. ``check`` and ``generate`` (and ``plan``) build on
this one function.
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
from alembic.autogenerate import produce_migrations
from alembic.operations import ops
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.runtime.plugins import Plugin
from alembic.util import DispatchPriority, PriorityDispatchResult, rev_id
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from orchestrator.autogenerate.comparison_cache import ComparisonCache, ModelSources
from orchestrator.autogenerate.drift import Drift, find_drift
from orchestrator.autogenerate.entity_drift import entity_drift, proposed_keys
from orchestrator.autogenerate.reflection import Snapshot, SnapshotInspector, reflect
from orchestrator.autogenerate.unstable_types import UnstableType, find_unstable_types
from orchestrator.config.service import Service
from orchestrator.core.concurrency import task_group
from orchestrator.core.errors import ConfigError, RevisionError, UnsafeToCompare
from orchestrator.core.forked import available_cores, balanced, map_forked
from orchestrator.core.gc_tuning import Pacer, paced_collections
from orchestrator.core.logs import get_logger
from orchestrator.history.revisions import ServiceHistory
from orchestrator.runtime.database import connect, describe_database
from orchestrator.runtime.extensions import require_extensions
from orchestrator.runtime.migration_options import migration_options
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.schemas import require_schema_support
from orchestrator.runtime.search_path import tenant_search_path
from orchestrator.runtime.state import DatabaseState, read_state_sync
from orchestrator.runtime.tenants import per_tenant, reference_tenant
from orchestrator.workspace.entities import declared_entities, declared_keys
from orchestrator.workspace.layout import LayoutProblem
from orchestrator.workspace.ownership import OwnershipRegistry, table_key
from orchestrator.workspace.workspace import Workspace

PLUGIN = "orchestrate.shared_reflection"
INSPECTOR_OPTION = "orchestrate_snapshot_inspector"
log = get_logger()


def _use_snapshot_inspector(autogen_context: Any, _upgrade_ops: Any) -> PriorityDispatchResult:
    inspector = autogen_context.opts.get(INSPECTOR_OPTION)
    if inspector is not None:
        autogen_context.inspector = inspector
    return PriorityDispatchResult.CONTINUE


Plugin(PLUGIN).add_autogenerate_comparator(
    _use_snapshot_inspector, "autogenerate", priority=DispatchPriority.FIRST
)


@dataclass(frozen=True)
class Change:
    """One operation autogenerate proposes: ``add_column orders.discount``."""

    operation: str
    table: str | None
    object: str | None = None
    detail: str = ""

    def __str__(self) -> str:
        target = ".".join(part for part in (self.table, self.object) if part)
        return f"{self.operation} {target}" + (f" ({self.detail})" if self.detail else "")

    def to_dict(self) -> dict:
        return {"operation": self.operation, "table": self.table, "object": self.object,
                "detail": self.detail}


@dataclass
class ServiceChanges:
    """One service: where its database stands and, when comparable, what its models change."""

    service: str
    db_heads: list[str]
    heads: list[str]
    blocker: str | None = None
    #: The comparison's operations; kept only when asked for (``generate`` writes them).
    script: ops.MigrationScript | None = None
    #: Whether the models were compared (now, or found clean with the same fingerprints).
    compared: bool = False
    changes: list[Change] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    unstable_types: list[UnstableType] = field(default_factory=list)
    unowned_tables: list[str] = field(default_factory=list)  # messages: see Workspace

    @property
    def problems(self) -> list[str]:
        """What is wrong besides pending model changes: drift, unstable type reprs, model
        tables nobody owns."""
        return ([d.message for d in self.drift] + [u.message for u in self.unstable_types]
                + self.unowned_tables)

    def to_dict(self) -> dict:
        return {
            "service": self.service,
            "current": self.db_heads,
            "heads": self.heads,
            "compared": self.compared,
            "blocker": self.blocker,
            "changes": [c.to_dict() for c in self.changes],
            "drift": [d.to_dict() for d in self.drift],
            "unverified": self.unverified,
            "unstable_types": [u.to_dict() for u in self.unstable_types],
            "unowned_tables": self.unowned_tables,
        }


@dataclass
class ChangeReport:
    database: dict
    services: list[ServiceChanges]
    snapshot: Snapshot
    #: The workspace's layout problems (``check`` reports them; see workspace.layout).
    layout: list[LayoutProblem] = field(default_factory=list)

    def __getitem__(self, service: str) -> ServiceChanges:
        for entry in self.services:
            if entry.service == service:
                return entry
        raise KeyError(service)

    def require_comparable(self, command: str) -> None:
        """Refuse ``command`` when a service's database is not at its head (exit 2): what is
        wrong on the first line, then one line per service, then the fix."""
        blocked = [s for s in self.services if s.blocker]
        if not blocked:
            return
        names = " ".join(s.service for s in blocked)
        first = (f"service {blocked[0].service!r} is not at its head" if len(blocked) == 1
                 else f"{len(blocked)} services are not at their head")
        raise UnsafeToCompare("\n".join([
            f"refusing to {command}: {first}",
            *(s.blocker for s in blocked),  # type: ignore[misc]
            f"fix: `orchestrate upgrade {names}` first; comparing now would propose what the "
            "revisions not applied already do",
        ]))

    @property
    def clean(self) -> bool:
        return not any(s.changes or s.problems or s.blocker for s in self.services) and not any(
            p.severity == "error" for p in self.layout)

    def to_dict(self) -> dict:
        return {
            "database": self.database,
            "services": [s.to_dict() for s in self.services],
            "layout": [p.to_dict() for p in self.layout],
            "verdict": "clean" if self.clean else "changes",
        }


async def detect_changes(orch: Orchestration, services: list[str] | None = None, *,
                         drift: bool = False, state: DatabaseState | None = None,
                         scripts: bool = False) -> ChangeReport:
    """Compare every named service (default: all) with the database, from one reflection.

    With ``drift``, also read every revision of the compared services to find what the
    database holds that their migrations do not explain (:mod:`orchestrator.autogenerate.drift`).
    With ``scripts``, every service is compared here and its ``MigrationScript`` kept (to be
    written); otherwise services found clean last time with the same fingerprints are skipped
    (:mod:`orchestrator.autogenerate.comparison_cache`, unless ``orch.comparison.cache`` is
    off) and the rest compared by processes forked over the cores (``orch.comparison``).
    """
    ws = orch.workspace
    chosen = [s.name for s in ws.select(services)]
    metadata, ownership, histories = ws.metadata, ws.ownership, ws.histories
    require_extensions(ws.services[name] for name in chosen)  # before any database work
    require_schema_support(ws, ws.ownership, orch.url)
    if orch.tenant is None and per_tenant(ws):  # per-tenant services: compared in one tenant
        orch = await reference_tenant(orch)
        ws = orch.workspace

    def owns(table: str) -> bool:
        return ownership.owner(table) in chosen and not ownership.is_internal(table)

    database = describe_database(orch.url)
    workers = min(ws.settings.concurrency, len(chosen))
    with paced_collections() as pacer:
        async with _connections(orch.url, workers) as pool:
            if state is None:  # a caller that read it already (plan) hands it over
                state = await pool[0].run_sync(read_state_sync, ws.services.values(),
                                               schemas=ws.schemas)
            snapshot = await reflect(pool, owns, state.tables)
            pacer.settle()
            report = ChangeReport(database, [], snapshot)
            created = {table: other for other in ws.names if drift
                       for table in histories[other].table_claims()}
            for name in chosen:
                entry = ServiceChanges(name, state.heads_of(name), list(histories[name].heads))
                untenanted = _no_tenant(ws.services[name])
                if untenanted:  # nothing to compare with: said, not refused
                    entry.unverified.append(untenanted)
                    report.services.append(entry)
                    continue
                entry.blocker = _blocker(histories[name], entry.db_heads)
                entry.unstable_types = find_unstable_types(name, metadata[name], ownership)
                entry.unowned_tables = ws.unowned_model_table_messages(name)
                tenant = ws.services[name].tenant
                if drift and entry.blocker is None and tenant is not None:
                    entry.unverified.append(f"service {name!r}: per tenant: drift is not "
                                            f"verified yet (compared in tenant {tenant!r})")
                elif drift and entry.blocker is None:
                    elsewhere = {t: o for t, o in created.items() if o != name}
                    found = find_drift(histories[name],
                                       owned_tables(ownership, name, snapshot), snapshot,
                                       elsewhere)
                    entry.drift, entry.unverified = found.drift, found.unverified
                report.services.append(entry)
            comparable = [e.service for e in report.services
                          if e.blocker is None and not _no_tenant(ws.services[e.service])]
            if scripts:
                compared = await _compare_all(orch, comparable, snapshot, pool, pacer)
                for name, script in compared.items():
                    report[name].script = script
                changes = {name: describe(script.upgrade_ops)
                           for name, script in compared.items()}
            else:
                changes = await _changes(orch, comparable, snapshot, pool, pacer)
        for name in comparable:
            entry = report[name]
            entry.compared, entry.changes = True, changes[name]
            if drift:
                entry.drift += entity_drift(name, declared_keys(metadata[name]),
                                            histories[name],
                                            proposed_keys((c.operation, c.object)
                                                          for c in entry.changes))
            log.debug("compared", service=name, changes=len(entry.changes))
    return report


def _has_entities(ws: Workspace, name: str) -> bool:
    """Whether the service declares or owns alembic_utils entities: their database side is
    not in the snapshot, so such a service is never skipped by the comparison cache."""
    return bool(declared_entities(ws.metadata[name]) or ws.ownership.entities_of(name))


async def _changes(orch: Orchestration, names: list[str], snapshot: Snapshot,
                   pool: list[AsyncConnection], pacer: Pacer) -> dict[str, list[Change]]:
    """Each service's changes: from the comparison cache when it was clean with the same
    fingerprints, else compared (in forked processes when there is enough to compare)."""
    ws = orch.workspace
    cache = keys = None
    if orch.comparison.cache:
        dialect = pool[0].dialect
        cache = ComparisonCache(ws.settings.state_dir, dialect,
                                repr(dialect.server_version_info))
        extended = any(s.extensions for s in ws.services.values())
        sources = ModelSources(ws.root, {n: s.models for n, s in ws.services.items()})
        keys = {name: cache.key(ws.services[name], ws.metadata[name],
                                owned_tables(ws.ownership, name, snapshot), snapshot,
                                extended or _has_entities(ws, name)
                                or ws.services[name].tenant is not None, sources)
                for name in names}
    found: dict[str, list[Change]] = {}
    todo = [name for name in names
            if not (cache is not None and keys is not None and cache.is_clean(name, keys[name]))]
    found.update((name, []) for name in names if name not in todo)
    groups = balanced(todo, lambda name: len(ws.ownership.tables_of(name)),
                      _processes(orch, todo))
    if len(groups) > 1:
        def compare_group(group: list[str]) -> dict[str, list[Change]]:
            return anyio.run(_compare_group, orch, group, snapshot, pacer)

        for result in await anyio.to_thread.run_sync(map_forked, compare_group, groups):
            found.update(result)
    else:
        compared = await _compare_all(orch, todo, snapshot, pool, pacer)
        found.update((name, describe(script.upgrade_ops)) for name, script in compared.items())
    if cache is not None and keys is not None:
        for name in todo:
            cache.record(name, keys[name], clean=not found[name])
        cache.save()
    return found


#: Below this many tables per process, forking costs more than it saves.
MIN_TABLES_PER_PROCESS = 150


def _processes(orch: Orchestration, names: list[str]) -> int:
    """How many processes compare ``names``: the option, else one per core, and only as
    many as have at least :data:`MIN_TABLES_PER_PROCESS` tables each."""
    tables = sum(len(orch.workspace.ownership.tables_of(name)) for name in names)
    wanted = orch.comparison.processes or available_cores()
    if orch.comparison.processes is None:
        wanted = min(wanted, tables // MIN_TABLES_PER_PROCESS)
    return max(1, min(wanted, len(names)))


async def _compare_group(orch: Orchestration, names: list[str], snapshot: Snapshot,
                         pacer: Pacer) -> dict[str, list[Change]]:
    """In a forked process: compare ``names`` on a connection of its own."""
    found: dict[str, list[Change]] = {}
    async with connect(orch.url, read_only=True) as connection:
        for name in names:
            script = await connection.run_sync(_compare_one, orch, name, snapshot)
            found[name] = describe(script.upgrade_ops)
            pacer.between()
    return found


@asynccontextmanager
async def _connections(url: URL, count: int) -> AsyncIterator[list[AsyncConnection]]:
    """``count`` connections (at least one), opened at once, closed together."""
    async with AsyncExitStack() as stack:
        pool = [await stack.enter_async_context(connect(url, read_only=True))]

        async def open_one() -> None:
            pool.append(await stack.enter_async_context(connect(url, read_only=True)))

        async with task_group() as group:
            for _ in range(count - 1):
                group.start_soon(open_one)
        yield pool


def owned_tables(ownership: OwnershipRegistry, service: str, snapshot: Snapshot
                 ) -> frozenset[str]:
    """The tables ``service`` claims, and those of the database in a schema it owns."""
    return ownership.tables_of(service) | {
        table for table in snapshot.table_names if ownership.owns(service, table)}


def _blocker(history: ServiceHistory, db_heads: list[str]) -> str | None:
    """Why the service cannot be compared: its database is not exactly at its head(s)."""
    heads = history.heads
    if sorted(db_heads) == sorted(heads):
        return None
    try:
        applied = history.applied(db_heads)
    except RevisionError as error:
        return error.message
    pending = [rev for rev in history.order if rev not in applied]
    where = ", ".join(db_heads) if db_heads else "base (nothing applied)"
    return (
        f"service {history.name!r}: the database is at {where}, the head is "
        f"{', '.join(heads)}: {len(pending)} revision(s) not applied "
        f"({', '.join(pending[:5])}{', ...' if len(pending) > 5 else ''})"
    )


async def _compare_all(orch: Orchestration, names: list[str], snapshot: Snapshot,
                       pool: list[AsyncConnection], pacer: Pacer
                       ) -> dict[str, ops.MigrationScript]:
    """Compare services concurrently: one worker per pooled connection.

    A comparison reads the snapshot and queries the database only for what the snapshot
    cannot answer (e.g. PostgreSQL's server-side comparison of two differing defaults); while
    one waits on the database another proceeds.
    """
    results: dict[str, ops.MigrationScript] = {}
    queue = list(reversed(names))

    async def work(connection: AsyncConnection) -> None:
        while queue:
            name = queue.pop()
            results[name] = await connection.run_sync(_compare_one, orch, name, snapshot)
            pacer.between()

    async with task_group() as group:
        for connection in pool:
            group.start_soon(work, connection)
    return results


def _compare_one(connection: Connection, orch: Orchestration, name: str,
                 snapshot: Snapshot) -> ops.MigrationScript:
    ws = orch.workspace
    return compare_service(connection, ws.services[name], ws.metadata[name], ws.ownership,
                           snapshot, tuple(ws.histories[name].heads))


def _no_tenant(service: Service) -> str | None:
    """Why a per-tenant service cannot be compared: the workspace has no tenant yet."""
    if service.per_tenant and service.tenant is None:
        return (f"service {service.name!r}: not compared: it is per tenant and the workspace "
                "has no tenant yet (tenants = [...] or tenant_schemas = ... in "
                "[tool.orchestrate]), so no schema holds its tables")
    return None


def compare_service(connection: Connection, service: Service, metadata: MetaData,
                    ownership: OwnershipRegistry, snapshot: Snapshot,
                    heads: tuple[str, ...] = ()) -> ops.MigrationScript:
    """Alembic's autogenerate comparison of one service, reading ``snapshot``.

    The workspace's ``process_revision_directives`` hooks then see the result, with a fresh
    revision id, as under ``alembic revision --autogenerate`` (``heads``: the database's):
    what they take out, ``check``, ``plan`` and ``generate`` do not see either.
    """
    options = migration_options(service, metadata, ownership, connection.dialect.name)
    options["autogenerate_plugins"] = [*options["autogenerate_plugins"], PLUGIN]
    if service.tenant is None:  # a tenant's tables are reflected live, in its schema
        options[INSPECTOR_OPTION] = SnapshotInspector(
            inspect(connection), snapshot, lambda table: ownership.owns(service.name, table))
    context = MigrationContext.configure(
        connection, opts=options,
        environment_context=EnvironmentContext(service.alembic_config(), None))
    with tenant_search_path(connection, service.tenant):
        script = produce_migrations(context, metadata)
    if connection.dialect.name in ("mysql", "mariadb"):
        _drop_tables_with_their_indexes(script.upgrade_ops)
        _drop_tables_with_their_indexes(script.downgrade_ops)
    script.rev_id = rev_id()
    hook = options["process_revision_directives"]
    if hook is None:
        return script
    directives = [script]
    hook(context, heads, directives)
    if len(directives) > 1:
        raise ConfigError(
            f"service {service.name!r}: its process_revision_directives hooks left "
            f"{len(directives)} revisions; orchestrate writes one revision per service")
    return directives[0] if directives else ops.MigrationScript(
        script.rev_id, ops.UpgradeOps([]), ops.DowngradeOps([]))


def _drop_tables_with_their_indexes(container: ops.OpContainer) -> None:
    """Leave a dropped table's indexes to its ``DROP TABLE`` (in the upgrade or the
    downgrade): MySQL refuses to drop an index a foreign key of the table needs (error 1553),
    and dropping the table drops them all. The other direction still creates them."""
    dropped = {(op.schema, op.table_name) for op in container.ops
               if isinstance(op, ops.DropTableOp)}
    kept = []
    for op in container.ops:
        if isinstance(op, ops.ModifyTableOps) and (op.schema, op.table_name) in dropped:
            op.ops = [o for o in op.ops if not isinstance(o, ops.DropIndexOp)]
            if not op.ops:
                continue
        kept.append(op)
    container.ops = kept


def describe(upgrade_ops: ops.UpgradeOps) -> list[Change]:
    """The operations of a comparison, flattened, one :class:`Change` each."""
    return [_change(op) for op in operations(upgrade_ops)]


def operations(container: ops.OpContainer) -> Iterator[Any]:
    """Every operation of a comparison, ``ModifyTableOps`` containers opened."""
    for op in container.ops:
        if isinstance(op, ops.OpContainer):
            yield from operations(op)
        else:
            yield op


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def operation_name(op: Any) -> str:
    """``CreateForeignKeyOp`` -> ``create_foreign_key``: the directive as written in a revision."""
    return _CAMEL.sub("_", type(op).__name__.removesuffix("Op")).lower()


def _change(op: Any) -> Change:
    if type(op).__module__.startswith("alembic_utils."):  # create/replace/drop of an entity
        return Change(f"{operation_name(op)}_entity", None, str(op.target.identity))
    table = getattr(op, "table_name", None) or getattr(op, "source_table", None)
    schema = getattr(op, "schema", None) or getattr(op, "source_schema", None)
    if table is not None and schema:
        table = table_key(table, schema)
    column = getattr(op, "column", None)
    name = (column.name if column is not None else None) or next(
        (getattr(op, attr) for attr in ("column_name", "index_name", "constraint_name",
                                         "sequence_name")
         if getattr(op, attr, None)), None)
    return Change(operation_name(op), table, None if name is None else str(name), _detail(op))


def _detail(op: Any) -> str:
    if isinstance(op, ops.AlterColumnOp):
        parts = []
        if op.modify_type is not None:
            parts.append(f"type {op.existing_type!r} -> {op.modify_type!r}")
        if op.modify_nullable is not None:
            parts.append(f"nullable {op.existing_nullable} -> {op.modify_nullable}")
        if op.modify_server_default is not False:
            parts.append(f"server default {_default(op.existing_server_default)} -> "
                         f"{_default(op.modify_server_default)}")
        if op.modify_comment is not False:
            parts.append(f"comment {op.existing_comment!r} -> {op.modify_comment!r}")
        return ", ".join(parts)
    if isinstance(op, ops.AddColumnOp):
        return repr(op.column.type)
    if isinstance(op, (ops.CreateIndexOp, ops.CreateUniqueConstraintOp)):
        columns = getattr(op, "columns", None)
        return ", ".join(str(c) for c in columns) if columns else ""
    if isinstance(op, ops.CreateForeignKeyOp):
        return (f"({', '.join(op.local_cols)}) -> {op.referent_table}"
                f"({', '.join(op.remote_cols)})")
    if isinstance(op, ops.DropConstraintOp):
        return op.constraint_type or ""
    if isinstance(op, ops.CreateCheckConstraintOp):
        return str(op.condition)
    return ""


def _default(value: Any) -> str:
    if value is None or value is False:
        return "none"
    arg = getattr(value, "arg", value)
    return repr(getattr(arg, "text", arg))
