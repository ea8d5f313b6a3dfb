"""``orchestrate stamp``: write version rows without running revisions (Alembic's stamp, Flyway's
baseline, Django's ``--fake``).

Each named service's version table then holds exactly the target revisions (rows it held are
replaced, revisions the code does not know included). Only revisions the code has are accepted.
Every service is stamped in one transaction, under the one-runner lock, and recorded in the run
ledger as a run of kind ``stamp`` (``orchestrate_runs``/``orchestrate_steps``, one applied step
per service) in that same transaction.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
from sqlalchemy.engine import Connection

from orchestrator.core.errors import ConfigError, RevisionError
from orchestrator.runtime.database_lock import migration_lock
from orchestrator.runtime.executor import Executor
from orchestrator.runtime.ledger import Ledger
from orchestrator.runtime.lock import HeldLock
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import Direction, Step, resolve_target
from orchestrator.runtime.state import DatabaseState, read_state_sync

#: The name stamps are recorded under in the ledger's ``train`` column (no train can have it:
#: train names hold no space).
LEDGER_NAME = "orchestrate stamp"


@dataclass(frozen=True)
class ServiceStamp:
    service: str
    version_table: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return sorted(self.before) != sorted(self.after)

    def to_dict(self) -> dict:
        return {"service": self.service, "version_table": self.version_table,
                "before": list(self.before), "after": list(self.after),
                "changed": self.changed}


@dataclass
class StampRun:
    stamps: list[ServiceStamp]
    sql: str | None = None
    run_id: int | None = None
    #: Cross-service ``requires`` the stamped revisions name that the database will not have.
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[ServiceStamp]:
        return [s for s in self.stamps if s.changed]

    def to_dict(self) -> dict:
        return {"stamps": [s.to_dict() for s in self.stamps], "run_id": self.run_id,
                "warnings": self.warnings}


async def stamp(orch: Orchestration, targets: Mapping[str, str | None], *, sql: bool = False,
                wait: float = 0.0) -> StampRun:
    """Stamp each ``service -> ref`` of ``targets`` (ref: a revision or prefix, ``head``
    (None), ``heads``, ``base``, or relative to where the database is).

    With ``sql``, nothing is written: the script Alembic would run, from the database's state.
    """
    orch.check_configuration()
    if not targets:
        raise ConfigError("stamp needs SERVICE@REV targets, or --all-heads")
    executor = Executor(orch.workspace)
    executor.load(targets)
    state = await orch.state()
    planned = _stamps(orch, targets, state)
    warnings = unmet_requirements(orch, state, planned)
    if sql:
        return StampRun(planned, sql=_render(orch, executor, planned), warnings=warnings)
    if not any(s.changed for s in planned):
        return StampRun(planned, warnings=warnings)
    async with migration_lock(orch.url).hold("orchestrate stamp", wait) as held:
        await held.connection.run_sync(held.record)
        done = await held.connection.run_sync(_write, orch, executor, targets, held)
    done.warnings = warnings
    return done


def unmet_requirements(orch: Orchestration, state: DatabaseState,
                       stamps: list[ServiceStamp]) -> list[str]:
    """What the stamped revisions ``require`` of other services that the database will not
    have: a stamp does not refuse it (that is what stamping is for), but says so."""
    graph = orch.revision_graph
    after = {name: list(state.heads_of(name)) for name in orch.workspace.names}
    after.update({s.service: list(s.after) for s in stamps})
    applied: set[tuple[str, str]] = set()
    for name, revs in after.items():
        history = orch.workspace.histories[name]
        if all(rev in history.revisions for rev in revs):
            applied |= {(name, rev) for rev in history.applied(revs)}
    found = []
    for entry in stamps:
        history = orch.workspace.histories[entry.service]
        for rev in sorted(history.applied(list(entry.after))):
            for needed in graph.requirements((entry.service, rev)):
                if needed not in applied:
                    found.append(f"{entry.service}:{rev} requires {needed[0]}:{needed[1]}, "
                                 f"which the database will not have: upgrade {needed[0]} "
                                 "or stamp it too")
    return found


def _stamps(orch: Orchestration, targets: Mapping[str, str | None], state: DatabaseState
            ) -> list[ServiceStamp]:
    """What each target service holds now and will hold; unknown revisions refused (exit 2)."""
    found = []
    for name, ref in targets.items():
        service = orch.workspace.service(name)
        history = orch.workspace.histories[name]
        if ref == "heads":
            after = tuple(history.heads)
        else:
            target = resolve_target(history, ref or "head", state.heads_of(name))
            after = (target,) if target else ()
        found.append(ServiceStamp(name, service.version_table, tuple(state.heads_of(name)),
                                  after))
    return found


def _write(connection: Connection, orch: Orchestration, executor: Executor,
           targets: Mapping[str, str | None], held: HeldLock) -> StampRun:
    """On the lock's connection: read the state again, stamp every service and record it, all
    in one transaction."""
    with held.verified_transaction(connection) as runner:
        state = read_state_sync(connection, orch.workspace.services.values(),
                                schemas=orch.workspace.schemas)
        stamps = _stamps(orch, targets, state)
        changed = [s for s in stamps if s.changed]
        for entry in changed:
            executor.stamp(connection, entry.service, entry.after)
        ledger = Ledger(connection)
        ledger.create()
        run_id = ledger.record_done(LEDGER_NAME, "stamp", [
            Step(s.service, ",".join(s.after) or "base", Direction.UPGRADE,
                 f"stamped (no revision ran); was {','.join(s.before) or 'base'}")
            for s in changed], runner)
    return StampRun(stamps, run_id=run_id)


def _render(orch: Orchestration, executor: Executor, stamps: list[ServiceStamp]) -> str:
    """Alembic's offline stamp of each changed service. Offline, Alembic moves rows along the
    targets' lineage only: rows on another branch, or unknown, cannot be rendered."""
    parts = []
    for entry in stamps:
        if not entry.changed:
            continue
        history = orch.workspace.histories[entry.service]
        lineage = set(entry.after)
        for rev in entry.after:
            lineage |= nx.ancestors(history.graph, rev) | nx.descendants(history.graph, rev)
        stray = [rev for rev in entry.before if rev not in lineage] if entry.after else []
        unknown = [rev for rev in entry.before if rev not in history.revisions]
        if stray or unknown:
            raise RevisionError(
                f"service {entry.service!r}: --sql cannot render this stamp: the version table "
                f"holds {', '.join(unknown or stray)}, "
                + ("unknown to the code" if unknown else "on another branch than the target")
                + "; Alembic replaces such rows only online (run the stamp without --sql)")
        parts.append(f"\n-- stamp {entry.service} {','.join(entry.after) or 'base'}\n\n"
                     + executor.render_stamp_sql(orch.url, entry.service, entry.after,
                                                 entry.before))
    return "".join(parts)
