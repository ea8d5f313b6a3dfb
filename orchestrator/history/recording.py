"""Read a revision by running it: Alembic's own dispatch, offline, with every call recorded.

:class:`RevisionReader` imports a revision module the way Alembic's ``ScriptDirectory`` does
(``importlib``, which compiles with ``dont_inherit=True``: the reader's own ``__future__``
imports never leak into a revision), then runs its ``upgrade()`` and ``downgrade()`` with
``alembic.op`` bound to an offline (``as_sql``) ``Operations`` for one dialect whose
``invoke`` records each operation object before Alembic dispatches it:

- the line of the revision file that issued it is found on the call stack, so operations in
  loops, in helper functions and through module constants resolve; a directive a plugin
  registered on ``Operations`` (``op.sync_enum_values``) is recorded as what it is, with the
  SQL it runs;
- ``batch_alter_table`` yields Alembic's ``BatchOperations`` for the real table, so every
  ``batch_op.*`` call belongs to its own block's table whatever the alias is called;
- rendering the SQL of ordinary operations is optional (lint asks for it); raw SQL
  (``op.execute``), plugin operations and statements run on ``op.get_bind()`` are always
  rendered and parsed (:mod:`orchestrator.history.sql`).

``op.get_bind()`` gives a connection that renders what it executes and has no rows: a
revision that reads rows (or inspects the live schema) stops there, and the reading says
where and why (:class:`~orchestrator.history.reading.Stop`) instead of guessing the rest.
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import logging
import re
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType, TracebackType
from typing import Any

import alembic.context
import alembic.op
from alembic.config import Config
from alembic.operations import BatchOperations, Operations, ops
from alembic.operations.base import AbstractOperations
from alembic.operations.batch import BatchOperationsImpl
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.pyfiles import load_module_py
from sqlalchemy.engine import make_url
from sqlalchemy.exc import NoInspectionAvailable
from sqlalchemy.sql.elements import TextClause

from orchestrator.history import sequence_operations  # noqa: F401  (registers its operations)
from orchestrator.history.operation_facts import describe
from orchestrator.history.reading import (
    Call,
    FunctionReading,
    Metadata,
    RevisionReading,
    Stop,
)
from orchestrator.history.sql import read_script

_IDENTIFIERS = ("revision", "down_revision", "branch_labels", "depends_on", "requires")
_CREATE_DATE = re.compile(r"^Create Date:\s*(.+)$", re.MULTILINE)
_GUARD_WORDS = re.compile(r"\b(?:if|try|while)\b")
_BATCH_SIGNATURE = inspect.signature(Operations.batch_alter_table.__wrapped__)
#: Alembic's own operations: rendering them is only needed when asked for.
_ALEMBIC_OPS = frozenset(
    cls for cls in vars(ops).values() if isinstance(cls, type)
    and issubclass(cls, ops.MigrateOperation) and cls.__module__ == ops.__name__)
_ALWAYS_RENDERED = (ops.ExecuteSQLOp,)
_MISSING_DIRECTIVE = re.compile(
    r"(?:module 'alembic\.op'|'(?:Batch)?Operations' object) has no attribute '(\w+)'")
#: Modules an env.py imports that register no operations.
#: alembic-postgresql-enum warns "only supports postgresql, skipping" for every enum operation
#: met on another dialect: true when a revision runs there, noise when it is only being read.
_QUIET_WHILE_READING = "alembic.alembic_postgresql_enum"
_NOT_PLUGINS = ("alembic", "sqlalchemy", "orchestrator", "logging", "os", "sys", "asyncio",
                "typing", "__future__")
#: Operation plugins orchestrate's own migration contexts load (runtime/enum_comparison
#: imports alembic-postgresql-enum), so their directives work under ``orchestrate upgrade``
#: even when a service's env.py imports nothing but ``run_env``; and the ones a workspace
#: commonly declares objects with. Imported only when a revision calls an unknown directive.
_WORKSPACE_PLUGINS = ("alembic_postgresql_enum", "alembic_utils.pg_function",
                      "alembic_utils.pg_view", "alembic_utils.pg_trigger")


class NeedsDatabase(Exception):
    """The revision asked for something only the live database has (rows, its schema)."""


class RevisionReader:
    """Reads revisions for one dialect, within one service's Alembic configuration.

    ``config`` is the service's Alembic ``Config``: its ``prepend_sys_path`` is applied and
    ``from alembic import context`` works in revisions as under ``alembic``; its env.py's
    imports are imported when a revision calls a directive no loaded plugin provides.
    """

    def __init__(self, dialect: str, config: Config | None = None) -> None:
        self.dialect = dialect
        self._config = config if config is not None else Config()
        #: Alembic's ``context`` needs a script directory; without a service, any folder does
        #: (nothing is loaded from it while reading).
        self._script = (ScriptDirectory.from_config(config) if config is not None
                        else ScriptDirectory(str(Path(alembic.context.__file__).parent)))
        self._env_py = Path(self._script.dir) / "env.py" if config is not None else None
        self._plugins_loaded = False
        self._run: _Run | None = None
        self._output = _Output(self)
        self._environment: EnvironmentContext | None = None
        self._context: MigrationContext | None = None
        self._operations: Operations | None = None

    # --- the Alembic context ---------------------------------------------------------------

    def _migration_context(self) -> MigrationContext:
        if self._context is None:
            options: dict[str, Any] = dict(
                dialect_name=self.dialect, dialect_opts={"paramstyle": "named"},
                literal_binds=True, output_buffer=self._output)
            self._environment = EnvironmentContext(self._config, self._script, as_sql=True)
            self._environment.is_offline_mode = self._offline_asked  # type: ignore[method-assign]
            self._environment.configure(**options)
            self._context = self._environment.get_context()
            bind = _OfflineBind(self._context, self)
            self._context.connection = bind  # type: ignore[assignment]
            self._context.impl.connection = bind  # type: ignore[assignment]
            self._operations = self._recording_operations(self._context)
        return self._context

    def _recording_operations(self, context: MigrationContext) -> Operations:
        operations = Operations(context)
        original = operations.invoke
        operations.invoke = lambda operation: self._invoke(original, operation)  # type: ignore
        operations.batch_alter_table = self._batch_alter_table  # type: ignore[method-assign]
        operations.get_bind = lambda: context.connection  # type: ignore[method-assign]
        return operations

    @contextmanager
    def session(self) -> Iterator[RevisionReader]:
        """``alembic.op`` and ``alembic.context`` stay bound to this reader meanwhile (and are
        given back to whoever had them before: a reading may happen inside an env.py run)."""
        self._migration_context()
        previous_op = getattr(alembic.op, "_proxy", None)
        previous_context = getattr(alembic.context, "_proxy", None)
        self._environment._install_proxy()  # type: ignore[union-attr]
        self._operations._install_proxy()  # type: ignore[union-attr]
        plugin_log = logging.getLogger(_QUIET_WHILE_READING)
        plugin_level = plugin_log.level
        plugin_log.setLevel(logging.ERROR)
        try:
            yield self
        finally:
            plugin_log.setLevel(plugin_level)
            self._operations._remove_proxy()  # type: ignore[union-attr]
            if previous_op is not None:
                previous_op._install_proxy()
            self._environment._remove_proxy()  # type: ignore[union-attr]
            if previous_context is not None:
                previous_context._install_proxy()

    # --- reading one revision --------------------------------------------------------------

    def read(self, path: Path, render: bool = False, source: bytes | None = None
             ) -> RevisionReading:
        """Import ``path`` and record what its functions do (call inside :meth:`session`).

        ``source`` is the file's content when the caller read it already."""
        reading = RevisionReading(path, self.dialect, None, rendered=render)
        try:
            with redirect_stdout(sys.stderr):
                module = load_module_py(_module_id(path), path)
        except (Exception, SystemExit) as error:  # the revision itself is broken: say where
            reading.failure = _stop(error, str(path), "importing it failed")
            reading.metadata = _literal_metadata(path)
            return reading
        reading.metadata = _module_metadata(module)
        if reading.metadata is None:
            return reading
        guards = _guard_lines(path, source)
        for name in ("upgrade", "downgrade"):
            function = getattr(module, name, None)
            if callable(function):
                found = self._read_function(function, name, path, guards, render)
                setattr(reading, name, found)
        return reading

    def _read_function(self, function: Any, name: str, path: Path, guards: frozenset[int],
                       render: bool) -> FunctionReading:
        while True:
            reading = FunctionReading(name, _first_line(function))
            code = getattr(function, "__code__", None)  # the file name as Python compiled it
            filename = code.co_filename if code else str(path)
            self._run = _Run(filename, reading, guards, render)
            try:
                with redirect_stdout(sys.stderr):
                    function()
            except NotImplementedError as error:
                if _raised_in(error, filename):
                    reading.refused = True
                else:
                    reading.stop = _stop(error, filename, f"{name}() stopped")
            except (Exception, SystemExit) as error:
                missing = _MISSING_DIRECTIVE.search(str(error))
                if missing and self._load_plugins(missing.group(1)):
                    continue  # a plugin the service's env.py imports provides it: again
                reading.stop = _stop(error, filename, f"{name}() stopped")
            finally:
                self._run = None
            if reading.stop is not None and reading.stop.needs_database and reading.skipped and (
                    reading.skipped[-1].needs_database):
                reading.skipped.pop()  # what stopped it, not something it went on after
            return reading

    def _load_plugins(self, directive: str) -> bool:
        """Import the plugins the workspace uses (once): what the service's env.py imports
        and the ones orchestrate's contexts load; whether ``directive`` exists now (and
        ``alembic.op`` offers it: its proxy is made of the directives known when installed)."""
        if self._plugins_loaded:
            return False
        self._plugins_loaded = True
        modules = _env_imports(self._env_py) if self._env_py is not None else []
        for module in (*modules, *_WORKSPACE_PLUGINS):
            with contextlib.suppress(Exception):
                importlib.import_module(module)
        if not hasattr(Operations, directive):
            return False
        self._operations._remove_proxy()  # type: ignore[union-attr]
        self._operations._install_proxy()  # type: ignore[union-attr]
        return True

    # --- recording -------------------------------------------------------------------------

    def _offline_asked(self) -> bool:
        """``context.is_offline_mode()``: True, and what the revision does online only is
        skipped; the reading notes where."""
        run = self._run
        if run is not None:
            line = (run.site()[0] or (run.reading.line,))[0]
            run.reading.skipped.append(Stop(line, "asks context.is_offline_mode(): what it "
                                                  "does online only was not read"))
        return True

    def needs_database(self, why: str) -> NeedsDatabase:
        """The error that stops the reading where the revision needs the live database, noted
        as skipped too (a revision may catch it and go on)."""
        run = self._run
        if run is not None:
            line = (run.site()[0] or (run.reading.line,))[0]
            run.reading.skipped.append(Stop(line, why, needs_database=True))
        return NeedsDatabase(why)

    def _invoke(self, original: Any, operation: Any, batch: _Block | None = None) -> Any:
        run = self._run
        if run is None:  # not reading (a nested Alembic call outside a function): just run
            return original(operation)
        call = run.call_here(batch)
        if call is not None:
            if call.operation is None:
                call.operation = operation
                describe(call, operation, self._context.dialect)  # type: ignore[union-attr]
            if (not run.render and type(operation) in _ALEMBIC_OPS
                    and not isinstance(operation, _ALWAYS_RENDERED)):
                return _result_unrendered(operation, self._context)
        previous, run.sink = run.sink, call or run.sink
        owned = len(batch.impl.batch) if batch is not None else 0
        try:
            return original(operation)
        except Exception as error:  # Alembic cannot render it offline: the call is still read
            if call is not None:
                call.render_error = (f"Alembic cannot render op.{call.name} offline for "
                                     f"{self.dialect}: {_reason(error)}")
                run.reading.unrendered.append(Stop(call.line, call.render_error))
            return _result_unrendered(operation, self._context)
        finally:
            run.sink = previous
            if batch is not None and call is not None:
                batch.owners += [call] * (len(batch.impl.batch) - owned)

    @contextmanager
    def _batch_alter_table(self, *args: Any, **kw: Any) -> Iterator[BatchOperations]:
        bound = _BATCH_SIGNATURE.bind(self._operations, *args, **kw)
        bound.apply_defaults()
        values = bound.arguments
        run = self._run
        impl = BatchOperationsImpl(
            self._operations, values["table_name"], values["schema"], values["recreate"],
            values["copy_from"], values["table_args"], values["table_kwargs"],
            values["reflect_args"], values["reflect_kwargs"], values["naming_convention"],
            values["partial_reordering"])
        block = _Block(str(values["table_name"]), values["schema"], impl,
                       run.site()[0] if run is not None else ())
        impl._orchestrate_block = block  # type: ignore[attr-defined]
        batch_op = BatchOperations(self._context, impl=impl)  # type: ignore[arg-type]
        original = batch_op.invoke
        batch_op.invoke = lambda operation: self._invoke(  # type: ignore[method-assign]
            original, operation, block)
        yield batch_op
        if run is not None and run.render:
            self._flush(block, run)

    def _flush(self, block: _Block, run: _Run) -> None:
        """Render the block as Alembic does at its end, each statement to its own call."""
        impl = block.impl
        if not impl.batch:
            return
        line = block.lines[0] if block.lines else run.reading.line
        try:
            if impl._should_recreate():
                run.sink = _Sink("batch_alter_table", line)
                impl.flush()
            else:
                for (opname, arg, kw), call in zip(impl.batch, block.owners):
                    run.sink = call
                    getattr(impl.operations.impl, opname)(*arg, **kw)
        except Exception as error:  # e.g. SQLite needs the live table to re-create it
            reason = (f"Alembic cannot render the batch block on table {block.table!r} "
                      f"offline for {self.dialect}: {_reason(error)}")
            run.reading.unrendered.append(Stop(line, reason))
            for call in block.owners:
                call.render_error = reason
        finally:
            run.sink = None

    def write(self, text: str) -> None:
        """Alembic's offline output: each statement goes to the call that rendered it."""
        run = self._run
        if run is None or not text.strip():
            return
        sink = run.sink if run.sink is not None else run.call_here(None, loose=True)
        if isinstance(sink, Call):
            index: int | None = run.position[id(sink)]
            origin = None if sink.name == "connection" else sink.name
            statements, run.in_transaction = read_script(
                text, sink.line, origin, self.dialect, run.in_transaction)
            sink.sql += tuple(statements)
        else:
            index = None
            line = sink.line if isinstance(sink, _Sink) else (
                run.site()[0] or (run.reading.line,))[0]
            origin = sink.origin if isinstance(sink, _Sink) else None
            statements, run.in_transaction = read_script(
                text, line, origin, self.dialect, run.in_transaction)
        run.reading.statements += [(index, statement) for statement in statements]


@dataclass
class _Block:
    """One ``batch_alter_table`` block: its table, Alembic's batch impl, the calls in it."""

    table: str
    schema: str | None
    impl: BatchOperationsImpl
    lines: tuple[int, ...]
    owners: list[Call] = field(default_factory=list)  # one per entry of impl.batch


@dataclass(frozen=True)
class _Sink:
    """Where output goes that belongs to no single call (a re-created batch table)."""

    origin: str
    line: int


@dataclass
class _Run:
    """One function being read."""

    filename: str
    reading: FunctionReading
    guards: frozenset[int]
    render: bool
    sink: Call | _Sink | None = None
    #: The revision runs in a transaction (Alembic's per migration) until an
    #: ``autocommit_block`` or a hand-written ``COMMIT`` ends it.
    in_transaction: bool = True
    position: dict[int, int] = field(default_factory=dict)  # id(call) -> index in calls
    _frame: FrameType | None = None  # the directive frame of the last call

    def site(self) -> tuple[tuple[int, ...], FrameType | None]:
        """The revision file's lines on the stack that led to the running directive (innermost
        first), and the frame of that directive: the outermost ``Operations`` method the
        function called, directly or through helpers (a custom operation defined in the
        revision file runs further revision code inside it, which belongs to the same call)."""
        frames: list[FrameType] = []
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            frames.append(frame)
            frame = frame.f_back
        ours = [i for i, f in enumerate(frames) if f.f_code.co_filename == self.filename]
        if not ours:
            return (), None
        directives = [i for i in range(ours[-1]) if _is_directive(frames[i])]
        outermost = directives[-1] if directives else -1
        lines = tuple(frames[i].f_lineno for i in ours if i > outermost)
        return lines, frames[outermost] if directives else None

    def connection_call(self) -> Call:
        """A call for SQL the revision runs on ``op.get_bind()`` itself."""
        lines = self.site()[0] or (self.reading.line,)
        call = Call(self.reading.name, "connection", lines[0], lines,
                    guarded=any(line in self.guards for line in lines))
        self.position[id(call)] = len(self.reading.calls)
        self.reading.calls.append(call)
        self._frame = None
        return call

    def call_here(self, batch: _Block | None, loose: bool = False) -> Call | None:
        """The call the running directive belongs to (made on its first operation)."""
        lines, directive = self.site()
        if directive is None:
            if loose:
                return None
            directive_name = "invoke"
        else:
            if directive is self._frame:
                return self.reading.calls[-1]
            directive_name = directive.f_code.co_name
        if not lines:
            return None
        owner = directive.f_locals.get("self") if directive is not None else None
        block = batch
        if block is None and isinstance(owner, BatchOperations):
            block = getattr(owner.impl, "_orchestrate_block", None)
        call = Call(self.reading.name, directive_name, lines[0], lines,
                    guarded=any(line in self.guards for line in lines))
        if block is not None:
            call.batch, call.table, call.schema = True, block.table, block.schema
        self.position[id(call)] = len(self.reading.calls)
        self.reading.calls.append(call)
        self._frame = directive
        return call


class _Output:
    """The output buffer Alembic writes offline SQL to."""

    def __init__(self, reader: RevisionReader) -> None:
        self._reader = reader

    def write(self, text: str) -> int:
        self._reader.write(text)
        return len(text)

    def flush(self) -> None:
        pass


class _OfflineBind:
    """``op.get_bind()`` while reading: it knows its dialect and renders what it executes;
    it has no rows, so reading a result stops the reading there."""

    def __init__(self, context: MigrationContext, reader: RevisionReader) -> None:
        self._context = context
        self._reader = reader
        self.dialect = context.dialect
        self.name = context.dialect.name
        self.url = make_url(f"{context.dialect.name}://")
        self.engine = self

    def execute(self, statement: Any, parameters: Any = None, *args: Any, **kw: Any) -> Any:
        if isinstance(statement, str):
            statement = TextClause(statement)
        run = self._reader._run
        previous = run.sink if run is not None else None
        if run is not None and previous is None:
            run.sink = run.call_here(None, loose=True) or run.connection_call()
        try:
            for bound in _bound(statement, parameters):
                try:
                    self._context.impl._exec(bound)
                except Exception as error:  # parameters that cannot be rendered as literals
                    raise self._reader.needs_database(
                        f"runs a statement whose parameters only the database "
                        f"binds ({_reason(error)})") from None
        finally:
            if run is not None:
                run.sink = previous
        return _NoRows(statement, self._reader)

    def _run_ddl_visitor(self, visitor: Any, element: Any, **kwargs: Any) -> None:
        """``Enum.create(bind)``, ``MetaData.create_all(bind)``: rendered like Alembic's own
        offline connection does, without asking the database what exists."""
        kwargs["checkfirst"] = False
        visitor(self.dialect, self, **kwargs).traverse_single(element)

    def exec_driver_sql(self, statement: str, *args: Any, **kw: Any) -> Any:
        return self.execute(TextClause(statement))

    def scalar(self, statement: Any, *args: Any, **kw: Any) -> Any:
        return self.execute(statement, *args, **kw).scalar()

    def connect(self) -> _OfflineBind:
        return self

    def begin(self) -> contextlib.nullcontext:
        return contextlib.nullcontext(self)

    def begin_nested(self) -> contextlib.nullcontext:
        return contextlib.nullcontext(self)

    def __enter__(self) -> _OfflineBind:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def execution_options(self, **kw: Any) -> _OfflineBind:
        return self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name.startswith("in_"):
            raise AttributeError(name)  # what Alembic probes to tell a mock connection
        raise self._reader.needs_database(f"uses the live database connection (.{name})")


def _bound(statement: Any, parameters: Any) -> list[Any]:
    """The statement with each set of parameters applied (executemany: each set)."""
    sets = parameters if isinstance(parameters, (list, tuple)) else [parameters]
    bound = []
    for values in sets:
        if isinstance(values, dict) and values:
            with contextlib.suppress(Exception):  # the names do not fit: rendering will say
                bound.append(statement.bindparams(**values) if isinstance(statement, TextClause)
                             else statement.params(**values))
                continue
        bound.append(statement)
    return bound


class _NoRows:
    """A result while reading offline: there are no rows to read."""

    def __init__(self, statement: Any, reader: RevisionReader) -> None:
        self._statement = statement
        self._reader = reader

    def _stop(self, *args: Any, **kw: Any) -> Any:
        try:
            what = " ".join(str(self._statement).split())[:80]
        except Exception:  # a construct that only compiles for a dialect
            what = type(self._statement).__name__
        raise self._reader.needs_database(
            f"reads the result of a statement from the database ({what})")

    def __getattr__(self, name: str) -> Any:
        return self._stop()

    __iter__ = __len__ = __bool__ = __getitem__ = _stop


def _is_directive(frame: FrameType) -> bool:
    """An ``Operations``/``BatchOperations`` method generated by ``register_operation``."""
    if frame.f_code.co_filename != "<string>":
        return False
    return isinstance(frame.f_locals.get("self"), AbstractOperations)


def _result_unrendered(operation: Any, context: MigrationContext | None) -> Any:
    """What Alembic's dispatch returns, without rendering: the Table of a create_table."""
    if isinstance(operation, ops.CreateTableOp):
        return operation.to_table(context)
    return None


def _module_id(path: Path) -> str:
    return re.sub(r"\W", "_", path.name)


def _first_line(function: Any) -> int:
    code = getattr(function, "__code__", None)
    return code.co_firstlineno if code is not None else 1


def _module_metadata(module: ModuleType) -> Metadata | None:
    if not hasattr(module, "revision"):
        return None
    values = {name: getattr(module, name, None) for name in _IDENTIFIERS}
    message, date = _docstring(module.__doc__)
    return Metadata(**values, message=message, create_date=date)


def _docstring(doc: object) -> tuple[str, str | None]:
    """(message, create date) from a revision's docstring, as Alembic's ``Script.doc``."""
    if not isinstance(doc, str) or not doc.strip():
        return "", None
    text = doc.strip()
    date = _CREATE_DATE.search(text)
    return text.splitlines()[0].strip(), date.group(1).strip() if date else None


def _literal_metadata(path: Path) -> Metadata | None:
    """A module that does not import: its identifiers when they are literals, so the rest of
    the history still reads (the failure itself is reported)."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return None
    values: dict[str, object] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) and node.value else [])
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _IDENTIFIERS:
                with contextlib.suppress(ValueError, TypeError, SyntaxError, RecursionError):
                    values.setdefault(target.id, ast.literal_eval(node.value))
    if "revision" not in values:
        return None
    message, date = _docstring(ast.get_docstring(tree))
    return Metadata(**values, message=message, create_date=date, imported=False)


def _guard_lines(path: Path, source: bytes | None) -> frozenset[int]:
    """Lines inside an ``if``/``try``/``while`` of a function: an operation there may not run."""
    try:
        text = source if source is not None else path.read_bytes()
        if not _GUARD_WORDS.search(text.decode("utf-8", "replace")):
            return frozenset()
        tree = ast.parse(text, filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return frozenset()
    lines: set[int] = set()
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.If, ast.Try, ast.TryStar, ast.While)):
                lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return frozenset(lines)


def _env_imports(env: Path) -> list[str]:
    """The modules a service's env.py imports at its top level, plugins among them."""
    try:
        tree = ast.parse(env.read_bytes(), filename=str(env))
    except (SyntaxError, ValueError, OSError):
        return []
    found: list[str] = []
    for node in tree.body:
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level
            else [])
        found += [n for n in names if n.split(".")[0] not in _NOT_PLUGINS]
    return found


def _raised_in(error: BaseException, filename: str) -> bool:
    """Whether the revision's own code raised ``error`` (not something it called)."""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and frames[-1].filename == filename


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {' '.join(str(error).split()) or type(error).__name__}"


def _stop(error: BaseException, filename: str, what: str) -> Stop:
    if isinstance(error, SyntaxError) and error.filename == filename:
        return Stop(error.lineno or 1, f"not valid Python: {error.msg}")
    line = _line_in(error.__traceback__, filename)
    if isinstance(error, NoInspectionAvailable):  # sa.inspect(op.get_bind())
        error = NeedsDatabase("inspects the live database schema (sa.inspect of the bind)")
    needs = isinstance(error, NeedsDatabase)
    return Stop(line or 1, f"{what}: {_reason(error)}", needs)


def _line_in(tb: TracebackType | None, filename: str) -> int | None:
    frames = [f for f in traceback.extract_tb(tb) if f.filename == filename]
    return frames[-1].lineno if frames and frames[-1].lineno else None
