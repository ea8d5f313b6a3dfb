"""Apply ordered steps across services, one revision per transaction; or render them as SQL.

Each step runs through Alembic itself (``EnvironmentContext`` with the service's own
``ScriptDirectory``), inside a transaction orchestrate opens, so the revision's DDL and its
version-table update commit or roll back together (SQLite too, see ``database.create_engine``).
"""
from __future__ import annotations

import io
import time
import traceback
from asyncio import CancelledError
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import networkx as nx
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from greenlet import GreenletExit
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, ExceptionContext

from orchestrator.core.errors import (
    ConfigError,
    LockLost,
    MigrationFailed,
    OfflineRenderFailed,
    RevisionError,
    RunnerStopped,
    StepPartiallyApplied,
)
from orchestrator.core.interrupts import StepInterrupted, StopRequest, stop_at_step_boundaries
from orchestrator.core.logs import get_logger
from orchestrator.runtime.committed import (
    ExecutedStatement,
    StatementRecorder,
    transactional_ddl,
)
from orchestrator.runtime.database import alembic_config_url, connect, connection_lost
from orchestrator.runtime.lock import HeldLock
from orchestrator.runtime.migration_options import migration_options
from orchestrator.runtime.revision_step import revision_step
from orchestrator.runtime.schemas import create_schemas, create_schemas_sql, schemas_to_create
from orchestrator.runtime.search_path import set_search_path, tenant_search_path
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
    update. ``rollback`` runs once that transaction was rolled back, on the same connection:
    the revision failed, or the runner was interrupted (``error`` is then a
    ``KeyboardInterrupt`` or ``CancelledError``); never once the lock or connection is lost.
    ``committed`` is what stayed applied all the same where DDL is not transactional (MySQL,
    MariaDB: ``runtime.committed``); empty when the rollback undid everything.
    """

    def begin(self, connection: Connection, step: Step) -> None: ...

    def commit(self, connection: Connection, step: Step) -> None: ...

    def rollback(self, connection: Connection, step: Step, error: BaseException,
                 committed: Sequence[ExecutedStatement]) -> None: ...


class Executor:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._scripts: dict[str, ScriptDirectory] = {}
        #: Per service, what SQLAlchemy remembers across one migration context (the named
        #: types already created or dropped): plain Alembic runs a whole upgrade in one
        #: context, orchestrate gives each step its own, so the memory is carried over.
        self._memos: dict[str, dict] = {}

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
            except (Exception, SystemExit) as error:  # raised while Alembic imported it
                raise RevisionError(
                    f"service {service!r}: Alembic cannot load the revisions in "
                    f"{history.service.versions_dir}: {type(error).__name__}: {error}") from None
            self._scripts[service] = directory
        return self._scripts[service]

    def forget_context(self) -> None:
        """Start the next step as a new ``alembic`` command would: with nothing remembered
        from the steps before it (the stairway's moves are each a command of their own)."""
        self._memos.clear()

    def load(self, services: Iterable[str]) -> None:
        """Load these services' revision modules now (before the lock is taken: loading many
        revisions takes a while, and a bad one is bad input, exit 2). Names the workspace does
        not know are left for the sequencer to refuse."""
        for service in services:
            if service in self.workspace.services:
                self.script(service)

    async def apply(self, url: URL, steps: Sequence[Step],
                    before_step: StepCallback | None = None,
                    after_step: Callable[[int, AppliedStep], None] | None = None,
                    hooks: StepHooks | None = None,
                    lock: HeldLock | None = None,
                    first_position: int = 1,
                    ) -> list[AppliedStep]:
        """Apply ``steps`` in order on one connection; stop at the first failure (exit 3).

        With ``lock``, the steps run on the lock's own connection and the lock is verified
        before each step (a lost lock stops the run before that step). Steps are numbered from
        ``first_position`` in messages.
        """
        if not steps:
            return []
        self.load({s.service for s in steps})  # before touching the database
        for step in steps:  # a per-tenant service seen for no tenant: refused up front
            self._tenant(step.service)

        def run(connection: Connection, stop: StopRequest) -> list[AppliedStep]:
            if connection.in_transaction():
                connection.commit()
            done: list[AppliedStep] = []
            for index, step in enumerate(steps):
                if before_step:
                    before_step(index, step)
                started = time.perf_counter()
                self.apply_step(connection, step, hooks, lock=lock,
                                position=first_position + index, stop=stop)
                applied = AppliedStep(step, time.perf_counter() - started)
                done.append(applied)
                log.info("step applied", n=index + 1, of=len(steps), service=step.service,
                         revision=step.revision, direction=step.direction.value,
                         seconds=round(applied.seconds, 4))
                if after_step:
                    after_step(index, applied)
            return done

        with stop_at_step_boundaries() as stop:
            if lock is not None:
                return await lock.connection.run_sync(run, stop)
            async with connect(url) as connection:
                return await connection.run_sync(run, stop)

    def apply_step(self, connection: Connection, step: Step,
                   hooks: StepHooks | None = None, *, lock: HeldLock | None = None,
                   position: int = 1, stop: StopRequest | None = None) -> None:
        """One revision and its version-table update, in one transaction of its own.

        The transaction is opened here, so the hooks share it, and handed to Alembic's
        context: a revision's ``op.get_context().autocommit_block()`` (``CREATE INDEX
        CONCURRENTLY``, ``ALTER TYPE ... ADD VALUE``) then commits what came before and goes
        on in a new transaction, exactly as under plain Alembic.

        Whatever ends the revision (an exception, ``sys.exit()``, Ctrl-C) rolls the step back.
        A revision's own failure is recorded (``hooks.rollback``) and raised as
        :class:`MigrationFailed`; Ctrl-C (``stop``, checked before the step and where it would
        commit) is recorded and goes on up as :class:`StepInterrupted` (a ``KeyboardInterrupt``). A lost lock or a lost
        connection is :class:`RunnerStopped` and records nothing: another runner may own the
        database by then.
        """
        transaction = context = recorder = None
        committing = False
        errors: list[BaseException] = []
        try:
            transaction = connection.begin()
            if lock is not None:
                lock.verify(connection)
            if stop is not None:
                stop.check()
            if hooks:
                hooks.begin(connection, step)
            create_schemas(connection, self._schemas(step.service))
            # the search_path is set back outside the statement-error collection: a step that
            # failed makes that statement fail too, which is no error of the revision's
            with self._environment(step, connection.engine.url) as env, \
                    tenant_search_path(connection, self._tenant(step.service)), \
                    _statement_errors(connection, errors):
                env.configure(
                    connection=connection,
                    **self._options(step.service, connection.dialect.name),
                )
                context = env.get_context()
                # Alembic's autocommit_block commits the context's own transaction; with an
                # external one it has none to commit (an assertion), so it is given ours.
                context._transaction = transaction
                self._carry_memo(env, step)
                recorder = self._recorder(connection, step)
                with recorder or nullcontext():
                    env.run_migrations()
            if stop is not None:
                stop.check()
            if hooks:
                hooks.commit(connection, step)
            committing = True
            connection.commit()  # ours, or the one an autocommit block began after it
        except GreenletExit:  # the worker itself is being torn down: nothing can be done
            raise
        except BaseException as error:
            # an autocommit block commits our transaction and begins another
            partial = context is not None and context._transaction is not transaction
            lost = connection_lost(error, connection)
            _roll_back(connection)
            # a lock found lost now (SQLite: its file replaced) forbids recording the failure
            gone = error.reason if isinstance(error, LockLost) else (
                lock.lock._lost() if lock is not None else None)
            interrupted = isinstance(error, (KeyboardInterrupt, CancelledError))
            if interrupted and (lost or gone):
                raise  # nothing can be recorded safely; the next runner reconciles the ledger
            committed = recorder.committed() if recorder else []
            if lost or gone:
                raise _stopped(step, position, None if lost else gone, partial=partial,
                               committing=committing,
                               committed=[s.describe() for s in committed]) from error
            if hooks:
                hooks.rollback(connection, step, error, committed)
            if interrupted:
                raise StepInterrupted(step.service, step.revision, position,
                                      [s.describe() for s in committed]) from error
            if committed:
                raise StepPartiallyApplied(step.service, step.revision, error,
                                           [s.describe() for s in committed]) from error
            raise MigrationFailed(step.service, step.revision, error,
                                  _caught_before(errors, error)) from error

    def _recorder(self, connection: Connection, step: Step) -> StatementRecorder | None:
        """Where DDL is not transactional, what records the statements the step runs."""
        dialect = connection.dialect.name
        if transactional_ddl(dialect):
            return None
        path = self.script(step.service).get_revision(step.revision).path
        return StatementRecorder(connection, path, dialect)

    def render_sql(self, url: URL, steps: Sequence[Step], state: DatabaseState,
                   out: Callable[[str], None] | None = None) -> str:
        """The whole sequence as one offline SQL script, in order, with no database.

        Step by step: each step's SQL is handed to ``out`` (when given) as soon as it is
        rendered. A revision that cannot be rendered offline stops the script with
        :class:`OfflineRenderFailed` (its file and line named), carrying the steps before it.
        """
        for step in steps:  # a per-tenant service seen for no tenant: refused up front
            self._tenant(step.service)
        rendered: list[str] = []
        heads = {name: tuple(state.heads_of(name)) for name in self.workspace.services}
        prepared: set[str] = set()
        for position, step in enumerate(steps, 1):
            chunk = ""
            if step.service not in prepared:  # as create_schemas does online
                prepared.add(step.service)
                chunk = self._schema_sql(url, step.service)
            tenant = self._tenant(step.service)
            try:
                step_sql = self._render_step(url, step, heads[step.service])
                chunk += (f"{set_search_path(url.get_dialect()(), tenant)};\n{step_sql}"
                          "RESET search_path;\n\n") if tenant else step_sql
            except Exception as error:
                raise OfflineRenderFailed(step.service, step.revision, position,
                                          self._where(step, error), error,
                                          "".join(rendered)) from error
            rendered.append(chunk)
            if out is not None:
                out(chunk)
            heads[step.service] = self.heads_after(step, heads[step.service])
        return "".join(rendered)

    def _render_step(self, url: URL, step: Step, heads: tuple[str, ...]) -> str:
        buffer = io.StringIO()
        buffer.write(f"\n-- {step.direction.value} {step.service} {step.revision}"
                     f"{': ' + step.message if step.message else ''}\n\n")
        with self._environment(step, url, as_sql=True, starting_rev=heads or None,
                               output_buffer=buffer) as env:
            env.configure(
                url=url,
                literal_binds=True,
                dialect_opts={"paramstyle": "named"},
                transaction_per_migration=True,
                output_buffer=buffer,
                **self._options(step.service, url.get_backend_name()),
            )
            self._carry_memo(env, step)
            with env.begin_transaction():
                env.run_migrations()
        return buffer.getvalue()

    def stamp(self, connection: Connection, service: str, revisions: tuple[str, ...]) -> None:
        """Alembic's own stamp, on the caller's transaction: ``service``'s version table then
        holds exactly ``revisions`` (whatever rows it held are purged first, revisions the
        code does not know included); no revision runs."""
        with self._stamp_environment(service, revisions, purge=True) as env:
            env.configure(connection=connection,
                          **self._options(service, connection.dialect.name))
            env.run_migrations()

    def render_stamp_sql(self, url: URL, service: str, revisions: tuple[str, ...],
                         current: tuple[str, ...]) -> str:
        """Alembic's offline stamp from ``current`` to ``revisions`` (Alembic cannot purge
        offline: the caller makes sure ``current`` lies on the targets' lineage)."""
        buffer = io.StringIO()
        with self._stamp_environment(service, revisions, as_sql=True,
                                     starting_rev=current or None, output_buffer=buffer) as env:
            env.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"},
                          output_buffer=buffer,
                          **self._options(service, url.get_backend_name()))
            with env.begin_transaction():
                env.run_migrations()
        return buffer.getvalue()

    def _stamp_environment(self, service: str, revisions: tuple[str, ...], **kw: object
                           ) -> EnvironmentContext:
        script = self.script(service)
        return EnvironmentContext(
            self.workspace.service(service).alembic_config(), script,
            fn=lambda heads, _ctx: script._stamp_revs(revisions, heads),
            destination_rev=revisions, **kw)

    def _where(self, step: Step, error: BaseException) -> str:
        """``file:line`` of the revision's own line where ``error`` was raised (the file
        alone when the error came from elsewhere)."""
        path = Path(self.script(step.service).get_revision(step.revision).path).resolve()
        lines = [line for frame, line in traceback.walk_tb(error.__traceback__)
                 if Path(frame.f_code.co_filename).resolve() == path]
        return f"{path}:{lines[-1]}" if lines else str(path)

    def _environment(self, step: Step, url: URL, **kw: object) -> EnvironmentContext:
        """Alembic's environment for one step; Alembic's config holds the database URL (when
        the ini leaves ``sqlalchemy.url`` empty) for revisions that read it, as under the env
        runner."""
        script = self.script(step.service)
        migration = revision_step(script, step.revision, step.direction is Direction.UPGRADE)
        config = self.workspace.service(step.service).alembic_config()
        if not config.get_main_option("sqlalchemy.url"):
            config.set_main_option("sqlalchemy.url", alembic_config_url(url))
        return EnvironmentContext(config, script, fn=lambda _rev, _ctx: [migration],
                                  destination_rev=step.revision, **kw)

    def _carry_memo(self, env: EnvironmentContext, step: Step) -> None:
        env.get_context().impl.memo = self._memos.setdefault(step.service, {})

    def _tenant(self, service: str) -> str | None:
        """The tenant whose schema ``service``'s steps run in; a per-tenant service seen for
        no tenant is refused (its revisions would land in the default schema)."""
        found = self.workspace.service(service)
        if found.per_tenant and found.tenant is None:
            raise ConfigError(
                f"service {service!r} is per tenant (per_tenant = true in "
                f"{found.ini_path.name}): its revisions run once per tenant; pass --tenant "
                "NAME (or --tenant all)")
        return found.tenant

    def _schemas(self, service: str) -> list[str]:
        return schemas_to_create(self.workspace.service(service), self.workspace.ownership)

    def _schema_sql(self, url: URL, service: str) -> str:
        return create_schemas_sql(url, self._schemas(service))

    def _options(self, service: str, dialect_name: str) -> dict:
        return migration_options(
            self.workspace.service(service), self.workspace.metadata[service],
            self.workspace.ownership, dialect_name,
        )

    def heads_after(self, step: Step, heads: tuple[str, ...]) -> tuple[str, ...]:
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


@contextmanager
def _statement_errors(connection: Connection, errors: list[BaseException]) -> Iterator[None]:
    """Collect into ``errors`` every statement error raised on ``connection`` meanwhile, those
    a revision catches included (SQLAlchemy's ``handle_error`` is per engine)."""
    def collect(context: ExceptionContext) -> None:
        if context.connection is connection:
            errors.append(context.sqlalchemy_exception or context.original_exception)

    engine = connection.engine
    event.listen(engine, "handle_error", collect)
    try:
        yield
    finally:
        event.remove(engine, "handle_error", collect)


def _caught_before(errors: list[BaseException], error: BaseException) -> BaseException | None:
    """The first statement error of the step when the revision caught it and the step then
    failed on something else (PostgreSQL: "current transaction is aborted")."""
    raised = {id(e) for e in _traceback_chain(error)}
    return next((e for e in errors if id(e) not in raised), None)


def _traceback_chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and the exceptions it was raised from or during."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _roll_back(connection: Connection) -> None:
    """Roll back whatever the step left open; on a dead connection there is nothing to undo."""
    try:
        connection.rollback()
    except Exception as error:
        log.debug("rollback after the step's failure did not go through", error=str(error))


def _stopped(step: Step, position: int, lock_lost: str | None, *, partial: bool,
             committing: bool, committed: Sequence[str] = ()) -> RunnerStopped:
    """Why the runner stops at ``step`` without having applied it, in words a user can act on:
    its lock was lost (``lock_lost`` says why), or its connection to the database (after
    ``committed``, where DDL is not transactional)."""
    where = f"step {position} ({step.service}, {step.revision})"
    if lock_lost:
        return RunnerStopped(
            f"this runner lost the migration lock: {lock_lost}. It stopped at {where}: "
            f"nothing of step {position} was applied, the steps before it stay applied",
            step.service, step.revision, position)
    if committing:
        what = (f"the connection to the database was lost while {where} committed: whether it "
                "was applied is for `orchestrate plan` to read from the version tables")
    elif committed:
        what = (f"the connection to the database was lost during {where}, after "
                f"{len(committed)} of its statements had committed on their own (each DDL "
                f"statement commits on this database): {'; '.join(committed)}. They stay "
                f"applied, the rest was not: check {step.service}'s objects before going on")
    elif partial:
        what = (f"the connection to the database was lost during {where}; its autocommit "
                "block had already committed part of it and the rest was not applied: check "
                f"{step.service}'s objects before going on")
    else:
        what = (f"the connection to the database was lost during {where}; nothing of step "
                f"{position} was applied")
    return RunnerStopped(f"{what}. The lock went with the connection; this runner stopped",
                         step.service, step.revision, position)
