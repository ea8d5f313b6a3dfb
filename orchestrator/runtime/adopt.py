"""``orchestrate adopt``: take over a database migrated by plain Alembic.

The database holds a version table of no service: plain Alembic's single ``alembic_version``
(one shared history, often one branch per service) or per-service tables of another naming.
Each of its rows is mapped to the one service whose history holds that revision (and what it
``requires`` of other services, which plain Alembic's ``depends_on`` left no row for); the tables
those revisions created are checked to exist; then, in one transaction under the one-runner
lock, each service's own version table is stamped with its rows and the legacy table is kept,
renamed ``orchestrate_adopted_<name>``, until the user drops it. Recorded in the ledger as a
run of kind ``adopt``.

Rows no service's history holds are refused, unless none of the rows maps and every service
already has its version rows (the histories were replaced by baselines, stamped): then the
legacy table is only retired.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import networkx as nx
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from orchestrator.core.errors import ConfigError
from orchestrator.runtime.database_lock import migration_lock
from orchestrator.runtime.executor import Executor
from orchestrator.runtime.ledger import Ledger
from orchestrator.runtime.lock import HeldLock
from orchestrator.runtime.orchestration import Orchestration, identifier_limit
from orchestrator.runtime.sequencer import Direction, Step
from orchestrator.runtime.state import ADOPTED_PREFIX, DatabaseState, read_state_sync

LEDGER_NAME = "orchestrate adopt"


class AdoptionRefused(ConfigError):
    """The legacy version table cannot be mapped onto the services (exit 2, nothing written)."""


@dataclass
class Adoption:
    """What ``adopt`` does: each service's new rows, the legacy tables kept renamed."""

    legacy: dict[str, list[str]]
    #: service -> the revisions its version table will hold
    assignments: dict[str, list[str]] = field(default_factory=dict)
    #: legacy table -> the name it is kept under
    renames: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    sql: str | None = None
    run_id: int | None = None

    def to_dict(self) -> dict:
        return {
            "legacy_tables": [{"table": t, "rows": rows, "kept_as": self.renames.get(t)}
                              for t, rows in self.legacy.items()],
            "assignments": [{"service": s, "revisions": revs}
                            for s, revs in self.assignments.items()],
            "problems": self.problems,
            "run_id": self.run_id,
        }


def plan_adoption(orch: Orchestration, state: DatabaseState) -> Adoption:
    """The mapping of every legacy row onto a service, and every reason it cannot be done."""
    adoption = Adoption(dict(state.legacy))
    histories = orch.workspace.histories
    unmapped: list[str] = []
    for table, rows in state.legacy.items():
        for rev in rows:
            holders = [name for name, history in histories.items() if rev in history.revisions]
            if len(holders) == 1:
                adoption.assignments.setdefault(holders[0], []).append(rev)
            elif holders:
                adoption.problems.append(
                    f"revision {rev} of {table} is in the histories of {', '.join(holders)}: "
                    "each revision must live in one service's history")
            else:
                unmapped.append(f"{rev} (in {table})")
    _close_over_requirements(orch, adoption)
    not_stamped = [name for name in orch.workspace.names
                   if not state.heads_of(name) and name not in adoption.assignments]
    if unmapped and (adoption.assignments or not_stamped):
        adoption.problems.append(
            f"revision(s) {', '.join(unmapped)} are in no service's history"
            + (f", and {', '.join(not_stamped)} have no version rows yet" if not_stamped
               else "") + ": move each revision file to the service it belongs to, or give "
            "the services baselines and stamp them first (`orchestrate generate --baseline`, "
            "docs/adopting.md); then adopt retires the legacy table")
    for name, revs in list(adoption.assignments.items()):
        _check_service(orch, state, name, revs, adoption.problems)
        if sorted(state.heads_of(name)) == sorted(revs):
            del adoption.assignments[name]  # its own table says so already
    limit = identifier_limit(orch.url)
    for table in state.legacy:
        kept = ADOPTED_PREFIX + table
        if len(kept.encode()) > limit or kept in state.tables:
            adoption.problems.append(
                f"{table} cannot be kept as {kept}: "
                + ("that table exists already" if kept in state.tables else
                   f"the name is longer than {limit} bytes"))
        adoption.renames[table] = kept
    return adoption


def _close_over_requirements(orch: Orchestration, adoption: Adoption) -> None:
    """What the legacy rows imply for every service: plain Alembic keeps no row for a revision
    another branch ``depends_on`` (now a ``requires``), yet it was applied. Each service is
    given the heads of everything its rows stand on, through the global revision DAG."""
    graph = orch.revision_graph
    applied: set[tuple[str, str]] = set()
    for name, revs in adoption.assignments.items():
        for rev in revs:
            applied |= {(name, rev)} | graph.ancestors((name, rev))
    adoption.assignments.clear()
    for name in orch.workspace.names:
        mine = {rev for service, rev in applied if service == name}
        if mine:
            history = orch.workspace.histories[name]
            covered = set().union(*(nx.ancestors(history.graph, rev) for rev in mine))
            adoption.assignments[name] = sorted(mine - covered)


def _check_service(orch: Orchestration, state: DatabaseState, name: str, revs: list[str],
                   problems: list[str]) -> None:
    """The service's own version table is empty (or already says the same) and every table its
    history created up to ``revs`` exists."""
    service = orch.workspace.services[name]
    current = state.heads_of(name)
    if current and sorted(current) != sorted(revs):
        problems.append(
            f"service {name!r}: {service.version_table} already holds {', '.join(current)}, "
            f"the legacy table says {', '.join(revs)}; fix one of them (orchestrate stamp)")
    history = orch.workspace.histories[name]
    expected = history.table_claims(history.applied(revs))
    present = {t.lower() for t in state.tables}
    missing = [t for t in expected if t.rpartition(".")[2].lower() not in present]
    if missing:
        problems.append(
            f"service {name!r}: its history up to {', '.join(revs)} creates "
            f"{', '.join(missing)}, missing from the database: the legacy table does not "
            "describe this database (or these revisions belong to another service)")


async def adopt(orch: Orchestration, *, sql: bool = False, dry_run: bool = False,
                wait: float = 0.0) -> Adoption:
    """Move the legacy version rows to the services' own tables (see the module docstring)."""
    orch.check_configuration()
    adoption = plan_adoption(orch, await orch.state())
    if not adoption.legacy or (dry_run and adoption.problems):
        return adoption
    _refuse_problems(adoption)
    executor = Executor(orch.workspace)
    executor.load(adoption.assignments)
    if sql:
        adoption.sql = _render(orch, executor, adoption)
    if sql or dry_run:
        return adoption
    async with migration_lock(orch.url).hold("orchestrate adopt", wait) as held:
        await held.connection.run_sync(held.record)
        return await held.connection.run_sync(_write, orch, executor, held)


def _refuse_problems(adoption: Adoption) -> None:
    if adoption.problems:
        raise AdoptionRefused("nothing was changed: " + "\n".join(adoption.problems))


def _write(connection: Connection, orch: Orchestration, executor: Executor, held: HeldLock
           ) -> Adoption:
    """On the lock's connection, in one transaction: plan again, stamp, rename, record."""
    with held.verified_transaction(connection) as runner:
        state = read_state_sync(connection, orch.workspace.services.values(),
                                orch.workspace.settings.legacy_version_table,
                                schemas=orch.workspace.schemas)
        adoption = plan_adoption(orch, state)
        _refuse_problems(adoption)
        for name, revs in adoption.assignments.items():
            executor.stamp(connection, name, tuple(revs))
        operations = Operations(MigrationContext.configure(connection))
        for table, kept in adoption.renames.items():
            operations.rename_table(table, kept)
        ledger = Ledger(connection)
        ledger.create()
        adoption.run_id = ledger.record_done(LEDGER_NAME, "adopt", [
            Step(name, ",".join(revs), Direction.UPGRADE,
                 f"adopted from {', '.join(adoption.legacy)} (no revision ran)")
            for name, revs in adoption.assignments.items()], runner)
    return adoption


def _render(orch: Orchestration, executor: Executor, adoption: Adoption) -> str:
    """The adoption as one offline script: Alembic's stamp of each service, then the renames."""
    parts = [f"\n-- adopt: {name} <- {', '.join(revs)}\n\n"
             + executor.render_stamp_sql(orch.url, name, tuple(revs), ())
             for name, revs in adoption.assignments.items()]
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name=orch.url.get_backend_name(),
        opts={"as_sql": True, "output_buffer": buffer, "literal_binds": True})
    operations = Operations(context)
    for table, kept in adoption.renames.items():
        buffer.write(f"\n-- keep {table} as {kept} (drop it once sure)\n\n")
        operations.rename_table(table, kept)
    return "".join(parts) + buffer.getvalue()
