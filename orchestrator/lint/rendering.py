"""Render one revision's ``upgrade()`` offline to the target dialect's SQL, statement by statement.

Each revision is rendered on its own: only its own ``upgrade()`` runs, inside Alembic's offline
(``--sql``) machinery, so the SQL is exactly what it adds on top of its down revisions and
nothing else (rendering a whole history at once would make every table look new). One
``EnvironmentContext``/``MigrationContext`` per service is configured with the service's
usual :func:`~orchestrator.runtime.migration_options.migration_options` and reused for all its
revisions, and each revision module is compiled from the text lint already read.

Every statement Alembic writes is recorded with the line of the revision that was running
when it was written (the innermost frame in the revision file) and the Alembic operation that
wrote it, so a rule can tell ``op.add_column`` from ``op.execute("ALTER TABLE ...")``.
"""
from __future__ import annotations

import sys
import traceback
import types
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field

import alembic.operations.batch
import alembic.operations.toimpl
from alembic.operations import Operations
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext

from orchestrator.history.revisions import Revision
from orchestrator.lint.rule import error, warning
from orchestrator.lint.statements import Statement, classify, split
from orchestrator.runtime.migration_options import migration_options
from orchestrator.workspace.workspace import Workspace

CANNOT_LOAD = error(
    "LN903", "the revision module cannot be loaded",
    "Make the module importable on its own: only `alembic`, `sqlalchemy` and stable shared "
    "helpers, no application code that may change or fail to import.",
)
CANNOT_RENDER = warning(
    "LN904", "upgrade() cannot be rendered offline for the dialect",
    "Make the revision work with `--sql` (guard online-only data work with "
    "`if not context.is_offline_mode():`, give batch operations on SQLite a `copy_from` "
    "table), or suppress with the reason it is online-only; SQL-based rules did not see "
    "the rest of the revision.",
)
RULES = (CANNOT_LOAD, CANNOT_RENDER)

_TOIMPL = alembic.operations.toimpl.__file__
_BATCH = alembic.operations.batch.__file__


@dataclass
class RenderFailure:
    rule_code: str
    line: int
    message: str


@dataclass
class Rendered:
    """What rendering one revision gave: its statements, its module, or why it stopped."""

    statements: list[Statement] = field(default_factory=list)
    module: types.ModuleType | None = None
    failure: RenderFailure | None = None


class _Recorder:
    """The output buffer Alembic writes offline SQL to; keeps each statement with its origin."""

    def __init__(self) -> None:
        self.filename: str | None = None
        self.statements: list[Statement] = []

    def write(self, text: str) -> int:
        if self.filename is not None and text.strip():
            line, origin = self._caller()
            for sql in split(text):
                statement = classify(sql, line, origin)
                if statement is not None:
                    self.statements.append(statement)
        return len(text)

    def flush(self) -> None:
        pass

    def _caller(self) -> tuple[int | None, str | None]:
        """The revision's running line, and the Alembic implementation between it and here."""
        origin: str | None = None
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename == self.filename:
                return frame.f_lineno, origin
            if origin is None:
                if filename == _TOIMPL:
                    origin = frame.f_code.co_name
                elif filename == _BATCH:
                    origin = "batch"
            frame = frame.f_back
        return None, origin


class ServiceRenderer:
    """Offline rendering for one service's revisions, in one configured Alembic context."""

    def __init__(self, workspace: Workspace, service: str, dialect: str) -> None:
        self.workspace = workspace
        self.service = workspace.service(service)
        self.dialect = dialect
        self._recorder = _Recorder()
        self._env = EnvironmentContext(
            self.service.alembic_config(), workspace.histories[service].script_directory(),
            as_sql=True,
        )
        self._context: MigrationContext | None = None

    @contextmanager
    def session(self) -> Iterator[ServiceRenderer]:
        """Alembic's ``context`` proxy stays installed while revisions run (``is_offline_mode``)."""
        with self._env:
            yield self

    def _migration_context(self) -> MigrationContext:
        if self._context is None:
            self._env.configure(
                dialect_name=self.dialect,
                dialect_opts={"paramstyle": "named"},
                literal_binds=True,
                transaction_per_migration=True,
                output_buffer=self._recorder,
                **migration_options(self.service, self.workspace.metadata[self.service.name],
                                    self.workspace.ownership, self.dialect),
            )
            self._context = self._env.get_context()
        return self._context

    def render(self, revision: Revision, text: str) -> Rendered:
        """Load the revision module from ``text`` and record the SQL its ``upgrade()`` writes."""
        filename = str(revision.path)
        result = Rendered()
        try:
            result.module = _load(revision, text)
        except Exception as problem:  # the revision's own code failed: a finding, not a crash
            result.failure = _failure(CANNOT_LOAD.code, problem, filename,
                                      "importing it failed")
            return result
        upgrade = getattr(result.module, "upgrade", None)
        if not callable(upgrade):
            return result
        context = self._migration_context()
        self._recorder.filename = filename
        self._recorder.statements = result.statements
        try:
            with Operations.context(context), redirect_stdout(sys.stderr):
                upgrade()
        except Exception as problem:  # offline rendering is not possible past this point
            result.failure = _failure(CANNOT_RENDER.code, problem, filename,
                                      f"rendering it for {self.dialect} stopped")
            self._context = None  # a fresh context for the next revision
        finally:
            self._recorder.filename = None
        return result


def _load(revision: Revision, text: str) -> types.ModuleType:
    """Execute the revision module as Alembic's loader would, from the text lint already read."""
    module = types.ModuleType(f"_orchestrate_lint.{revision.service}.{revision.revision}")
    module.__file__ = str(revision.path)
    code = compile(text, str(revision.path), "exec")
    with redirect_stdout(sys.stderr):
        exec(code, module.__dict__)  # noqa: S102 - it is the revision, as Alembic runs it
    return module


def _failure(code: str, problem: BaseException, filename: str, what: str) -> RenderFailure:
    frames = [f for f in traceback.extract_tb(problem.__traceback__) if f.filename == filename]
    line = frames[-1].lineno if frames and frames[-1].lineno else 1
    reason = " ".join(str(problem).split()) or type(problem).__name__
    return RenderFailure(code, line, f"{what}: {type(problem).__name__}: {reason}")
