"""Apply ordered steps across services, one revision per transaction; or render them as SQL.

Each step runs through Alembic itself (``EnvironmentContext`` with the service's own
``ScriptDirectory``), inside a transaction orchestrate opens, so the revision's DDL and its
version-table update commit or roll back together (SQLite too, see ``database.create_engine``).
"""
from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import networkx as nx
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection

from orchestrator.core.errors import MigrationFailed, RevisionError
from orchestrator.core.logs import get_logger
from orchestrator.runtime.database import connect
from orchestrator.runtime.migration_options import migration_options
from orchestrator.runtime.revision_step import revision_step
from orchestrator.runtime.sequencer import Direction, Step
from orchestrator.runtime.state import DatabaseState
from orchestrator.workspace.workspace import Workspace


@dataclass(frozen=True)
class AppliedStep:
    step: Step
    seconds: float


StepCallback = Callable[[int, Step], None]
log = get_logger()


class StepHooks(Protocol):
    """Work a caller adds to each step's own transaction (e.g. a release train's ledger).

    ``begin`` and ``commit`` run inside the step's transaction, before the revision and after
    it, so what they write commits or rolls back with the revision and its version-table
    update. ``rollback`` runs once that transaction was rolled back, on the same connection.
    """

    def begin(self, connection: Connection, step: Step) -> None: ...

    def commit(self, connection: Connection, step: Step) -> None: ...

    def rollback(self, connection: Connection, step: Step, error: BaseException) -> None: ...


class Executor:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._scripts: dict[str, ScriptDirectory] = {}

    def script(self, service: str) -> ScriptDirectory:
        """The service's ``ScriptDirectory``, every revision module loaded (once).

        Loading happens before the database is touched, so a revision file that does not
        import is a bad input naming the file, not a failed step.
        """
        if service not in self._scripts:
            history = self.workspace.histories[service]
            directory = history.script_directory()
            try:
                directory.revision_map.heads  # noqa: B018 -- loads every revision module
            except SyntaxError as error:
                raise RevisionError(
                    f"{error.filename}:{error.lineno}: not valid Python: {error.msg}") from None
            except Exception as error:  # the module raised while Alembic imported it
                raise RevisionError(
                    f"service {service!r}: Alembic cannot load the revisions in "
                    f"{history.service.versions_dir}: {type(error).__name__}: {error}") from None
            self._scripts[service] = directory
        return self._scripts[service]

    async def apply(self, url: URL, steps: Sequence[Step],
                    before_step: StepCallback | None = None,
                    after_step: Callable[[int, AppliedStep], None] | None = None,
                    hooks: StepHooks | None = None,
                    ) -> list[AppliedStep]:
        """Apply ``steps`` in order on one connection; stop at the first failure (exit 3)."""
        if not steps:
            return []
        for service in {s.service for s in steps}:
            self.script(service)  # load scripts before touching the database

        def run(connection: Connection) -> list[AppliedStep]:
            if connection.in_transaction():
                connection.commit()
            done: list[AppliedStep] = []
            for index, step in enumerate(steps):
                if before_step:
                    before_step(index, step)
                started = time.perf_counter()
                self.apply_step(connection, step, hooks)
                applied = AppliedStep(step, time.perf_counter() - started)
                done.append(applied)
                log.info("step applied", n=index + 1, of=len(steps), service=step.service,
                         revision=step.revision, direction=step.direction.value,
                         seconds=round(applied.seconds, 4))
                if after_step:
                    after_step(index, applied)
            return done

        async with connect(url) as connection:
            return await connection.run_sync(run)

    def apply_step(self, connection: Connection, step: Step,
                   hooks: StepHooks | None = None) -> None:
        """One revision and its version-table update, in one transaction of its own.

        The transaction is opened here, so the hooks share it, and handed to Alembic's
        context: a revision's ``op.get_context().autocommit_block()`` (``CREATE INDEX
        CONCURRENTLY``, ``ALTER TYPE ... ADD VALUE``) then commits what came before and goes
        on in a new transaction, exactly as under plain Alembic.
        """
        try:
            transaction = connection.begin()
            if hooks:
                hooks.begin(connection, step)
            with self._environment(step) as env:
                env.configure(
                    connection=connection,
                    **self._options(step.service, connection.dialect.name),
                )
                # Alembic's autocommit_block commits the context's own transaction; with an
                # external one it has none to commit (an assertion), so it is given ours.
                env.get_context()._transaction = transaction
                env.run_migrations()
            if hooks:
                hooks.commit(connection, step)
            connection.commit()  # ours, or the one an autocommit block began after it
        except Exception as error:  # the revision's own failure: rolled back, reported
            connection.rollback()
            if hooks:
                hooks.rollback(connection, step, error)
            raise MigrationFailed(step.service, step.revision, error) from error

    def render_sql(self, url: URL, steps: Sequence[Step], state: DatabaseState) -> str:
        """The whole sequence as one offline SQL script, in order, with no database."""
        buffer = io.StringIO()
        heads = {name: tuple(state.heads_of(name)) for name in self.workspace.services}
        dialect = url.get_backend_name()
        for step in steps:
            buffer.write(f"\n-- {step.direction.value} {step.service} {step.revision}"
                         f"{': ' + step.message if step.message else ''}\n\n")
            with self._environment(step, as_sql=True, starting_rev=heads[step.service] or None,
                                   output_buffer=buffer) as env:
                env.configure(
                    url=url,
                    literal_binds=True,
                    dialect_opts={"paramstyle": "named"},
                    transaction_per_migration=True,
                    output_buffer=buffer,
                    **self._options(step.service, dialect),
                )
                with env.begin_transaction():
                    env.run_migrations()
            heads[step.service] = self._heads_after(step, heads[step.service])
        return buffer.getvalue()

    def _environment(self, step: Step, **kw: object) -> EnvironmentContext:
        script = self.script(step.service)
        migration = revision_step(script, step.revision, step.direction is Direction.UPGRADE)
        config = self.workspace.service(step.service).alembic_config()
        return EnvironmentContext(config, script, fn=lambda _rev, _ctx: [migration],
                                  destination_rev=step.revision, **kw)

    def _options(self, service: str, dialect_name: str) -> dict:
        return migration_options(
            self.workspace.service(service), self.workspace.metadata[service],
            self.workspace.ownership, dialect_name,
        )

    def _heads_after(self, step: Step, heads: tuple[str, ...]) -> tuple[str, ...]:
        """The version table's heads once ``step`` ran (to start the next offline step from)."""
        history = self.workspace.histories[step.service]
        revision = history.revisions[step.revision]
        if step.direction is Direction.UPGRADE:
            candidates = {*heads, step.revision}
        else:
            # Alembic's version table also keeps a revision's depends_on targets as heads
            candidates = ({*heads} - {step.revision}) | {*revision.down_revisions,
                                                        *revision.depends_on}
        covered = set().union(*(nx.ancestors(history.graph, h) for h in candidates))
        return tuple(sorted(candidates - covered))
