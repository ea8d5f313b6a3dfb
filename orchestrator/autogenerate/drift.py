"""Drift: what a service's tables hold in the database that its migrations do not explain.

A database altered by hand (``ALTER TABLE ... ADD COLUMN`` run in a console, an index created
during an incident) misleads autogenerate: the hand-made object matches the models, so no
revision is generated for it, and databases migrated properly never get it. To catch that,
the schema the service's migrations build is replayed from their recorded readings (the
Alembic operations every ``upgrade()`` dispatched, in history order:
:mod:`orchestrator.history.reading`) and compared, by name, with the reflected tables the
service owns:

- tables, columns, indexes, and unique, foreign-key and check constraints in the database that
  no revision creates are **unexplained**;
- tables, columns and named indexes or constraints a revision creates that the database lacks
  are **missing**.

Objects a revision creates without a name (``sa.Column(..., unique=True)``) are matched by
their columns instead; dropping a column drops what is built on it alone (its indexes, and
check constraints whose expression names only it), as the database does. Limits, chosen so
that nothing is reported that the migrations do explain: column types, nullability, server
defaults and primary keys are not compared (a type changed by hand shows up as a model change
instead); a table whose DDL a revision writes as raw SQL (``op.execute("ALTER TABLE ...")``,
read by the SQL parser to know which table it names) is not verified; a service with a
revision that could not be read to its end (it reads rows through ``op.get_bind()``, say) is
not verified at all. What was skipped is listed, with the file and line, never silently
dropped.
On MySQL and MariaDB, the index the server creates by itself for a foreign key is not drift.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from orchestrator.autogenerate.reflection import Snapshot
from orchestrator.history.reading import Call, Column
from orchestrator.history.revisions import ServiceHistory
from orchestrator.history.sql import Statement
from orchestrator.workspace.ownership import table_key

#: Index and unique constraint names share one namespace: a backend may report one as the other.
_GROUPS = {"index": "index", "unique constraint": "index", "foreign key": "foreign key",
           "check constraint": "check constraint"}


@dataclass(frozen=True)
class Drift:
    service: str
    kind: str  # table, column, index, unique constraint, foreign key, check constraint,
    #            or view, function, sequence, ... (see entity_drift: then no table)
    table: str | None
    name: str | None
    state: str  # "unexplained" or "missing"
    revision: str | None = None  # for "missing": the revision that creates it

    @property
    def message(self) -> str:
        what = (f"{self.kind} {self.name!r}" if self.table is None
                else f"table {self.table!r}" if self.kind == "table"
                else f"column {self.table}.{self.name}" if self.kind == "column"
                else f"{self.kind} {self.name or '(unnamed)'} on {self.table!r}")
        verb = "adds" if self.kind == "column" else "creates"
        if self.state == "unexplained":
            return (f"service {self.service!r}: {what} is in the database but no revision of "
                    f"{self.service} {verb} it")
        return (f"service {self.service!r}: {what} is missing from the database although "
                f"revision {self.revision} {verb} it")

    def to_dict(self) -> dict:
        return {"kind": self.kind, "table": self.table, "name": self.name, "state": self.state,
                "revision": self.revision, "message": self.message}


@dataclass
class DriftReport:
    drift: list[Drift] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)


@dataclass
class _Object:
    kind: str
    name: str | None
    columns: tuple[str, ...] | None
    revision: str
    #: The columns it is built on, when known (a check constraint's expression): dropping
    #: the last of them drops it.
    uses: tuple[str, ...] | None = None


@dataclass
class _Table:
    revision: str
    columns: dict[str, str] = field(default_factory=dict)  # name -> revision that adds it
    objects: list[_Object] = field(default_factory=list)


@dataclass
class ExpectedSchema:
    """The tables a service's migrations build, replayed from their recorded readings."""

    tables: dict[str, _Table] = field(default_factory=dict)
    #: (revision, statement) for every raw DDL statement (``op.execute``, a connection).
    sql: list[tuple[str, Statement]] = field(default_factory=list)
    opaque: str | None = None  # why nothing can be verified

    def mentioned(self, table: str) -> str | None:
        """The revision whose raw DDL acts on ``table``, if any."""
        return next((rev for rev, statement in self.sql if table in _tables_of(statement, self)),
                    None)


def _tables_of(statement: Statement, schema: ExpectedSchema) -> set[str]:
    """The tables a statement acts on: named, or owning the index it names."""
    found = {t for t in (statement.table, *statement.tables) if t}
    if statement.verb in ("alter index", "drop index") and statement.name:
        found |= {name for name, table in schema.tables.items()
                  if any(o.name == statement.name for o in table.objects)}
    return found


def expected_schema(history: ServiceHistory) -> ExpectedSchema:
    schema = ExpectedSchema()
    for rev, reading in history.readings().items():
        unread = reading.unread
        if unread:
            stop = unread[0]
            schema.opaque = f"{reading.path.name}:{stop.line}: {stop.message}"
            continue
        for call in reading.calls("upgrade"):
            raw = [s for s in call.sql if s.raw and s.kind == "ddl"]
            schema.sql += [(rev, statement) for statement in raw]
            if any(not s.parsed for s in raw):
                schema.opaque = (f"{reading.path.name}:{call.line} runs SQL the SQL parser "
                                 "cannot read")
            apply = _REPLAY.get(call.name)
            if apply is not None and (call.table is not None or call.name == "drop_index"):
                apply(schema, call, rev)
    return schema


def find_drift(history: ServiceHistory, owned: Collection[str], snapshot: Snapshot,
               created_elsewhere: Mapping[str, str] | None = None) -> DriftReport:
    """Compare the service's owned tables in ``snapshot`` with what its migrations build.

    ``created_elsewhere`` maps tables to the other service whose migrations create them: a
    table that moved to this service is not verified against this service's history.
    """
    report = DriftReport()
    expected = expected_schema(history)
    if expected.opaque:
        report.unverified.append(f"service {history.name!r}: not verified: {expected.opaque}")
        return report
    present = set(snapshot.table_names)
    service = history.name
    for table in sorted(set(owned) | set(expected.tables)):
        revision = expected.mentioned(table)
        if revision:
            report.unverified.append(
                f"service {service!r}: table {table!r} not verified: revision {revision} runs "
                "SQL that names it")
            continue
        wanted = expected.tables.get(table)
        if table not in present:
            if wanted is not None:
                report.drift.append(Drift(service, "table", table, None, "missing",
                                          wanted.revision))
            continue
        if table not in owned:
            continue
        if wanted is None:
            if table in (created_elsewhere or {}):
                report.unverified.append(
                    f"service {service!r}: table {table!r} not verified: the migrations of "
                    f"service {created_elsewhere[table]!r} create it")  # type: ignore[index]
            else:
                report.drift.append(Drift(service, "table", table, None, "unexplained"))
            continue
        report.drift += _compare_table(service, table, wanted, snapshot)
    return report


def _compare_table(service: str, table: str, wanted: _Table, snapshot: Snapshot) -> list[Drift]:
    found: list[Drift] = []
    live_columns = [c["name"] for c in snapshot.records("columns", table) or []]
    for name in live_columns:
        if name not in wanted.columns:
            found.append(Drift(service, "column", table, name, "unexplained"))
    for name, revision in wanted.columns.items():
        if name not in live_columns:
            found.append(Drift(service, "column", table, name, "missing", revision))
    live = _live_objects(snapshot, table)
    for kind, name, columns in live:
        group = [o for o in wanted.objects if _GROUPS[o.kind] == _GROUPS[kind]]
        if not _explained(group, name, columns):
            found.append(Drift(service, kind, table, name, "unexplained"))
    for obj in wanted.objects:
        group = [(name, columns) for kind, name, columns in live
                 if _GROUPS[kind] == _GROUPS[obj.kind]]
        if obj.name and not any(name == obj.name or (name is None and columns == obj.columns)
                                for name, columns in group):
            found.append(Drift(service, obj.kind, table, obj.name, "missing", obj.revision))
    return found


def _explained(group: list[_Object], name: str | None, columns: tuple | None) -> bool:
    """Matched by name; objects created (or reflected) without a name by their columns."""
    if name is not None and any(o.name == name for o in group):
        return True
    return any((o.name is None or name is None) and (o.columns is None or o.columns == columns)
               for o in group)


def _live_objects(snapshot: Snapshot, table: str) -> list[tuple[str, str | None, tuple | None]]:
    live: list[tuple[str, str | None, tuple | None]] = []
    foreign_keys = snapshot.records("foreign_keys", table) or []
    for index in snapshot.records("indexes", table) or []:
        if not index.get("duplicates_constraint") and not (
                snapshot.dialect in _IMPLICIT_FK_INDEXES
                and _backs_foreign_key(index, foreign_keys)):
            live.append(("index", index["name"], _columns(index.get("column_names"))))
    for unique in snapshot.records("unique_constraints", table) or []:
        live.append(("unique constraint", unique["name"], _columns(unique["column_names"])))
    for fk in snapshot.records("foreign_keys", table) or []:
        live.append(("foreign key", fk["name"], _columns(fk["constrained_columns"])))
    for check in snapshot.records("check_constraints", table) or []:
        live.append(("check constraint", check["name"], None))
    return live


#: Backends that create an index for a foreign key on its own when none covers its columns.
_IMPLICIT_FK_INDEXES = frozenset({"mysql", "mariadb"})


def _backs_foreign_key(index: dict, foreign_keys: list[dict]) -> bool:
    """MySQL's own index for a foreign key: on exactly its columns, not unique, named after the
    constraint (or, for an unnamed one, after its first column). No revision creates it."""
    if index.get("unique"):
        return False
    columns = _columns(index.get("column_names"))
    return any(columns == _columns(fk["constrained_columns"])
               and index["name"] in (fk["name"], fk["constrained_columns"][0])
               for fk in foreign_keys)


def _columns(names: object) -> tuple[str, ...] | None:
    if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names):
        return tuple(names)
    return None


# --- replaying operations ------------------------------------------------------------------

def _create_table(schema: ExpectedSchema, call: Call, rev: str) -> None:
    table = schema.tables[_key(call)] = _Table(rev)
    for column in call.columns:
        _add_column(table, column, rev)
    for constraint in call.constraints:
        if constraint.kind in _KINDS:
            table.objects.append(_object(constraint.kind, constraint.name, constraint.columns,
                                         rev))


def _key(call: Call) -> str:
    """The table a call names, as the ownership registry and the snapshot name it."""
    return table_key(call.table or "", call.schema)


def _object(kind: str, name: str | None, columns: tuple[str, ...] | None, rev: str) -> _Object:
    """Check constraints are matched by name only (their columns are not reflected alike)."""
    if kind == "check constraint":
        return _Object(_KINDS[kind], name, None, rev, uses=columns)
    return _Object(_KINDS[kind], name, columns, rev)


def _add_column(table: _Table, column: Column, rev: str) -> None:
    """A column: its name and what it creates inline (index, unique, FK, check)."""
    name = column.name
    table.columns[name] = rev
    if column.index:
        kind = "unique constraint" if column.unique else "index"
        table.objects.append(_Object(kind, None, (name,), rev))
    elif column.unique:
        table.objects.append(_Object("unique constraint", None, (name,), rev))
    for _ in column.references:
        table.objects.append(_Object("foreign key", None, (name,), rev))
    if column.check:
        table.objects.append(_Object("check constraint", None, None, rev, uses=(name,)))


def _on_table(apply: Callable[[_Table, Call, str], None]
              ) -> Callable[[ExpectedSchema, Call, str], None]:
    def replay(schema: ExpectedSchema, call: Call, rev: str) -> None:
        table = schema.tables.get(_key(call))
        if table is not None:
            apply(table, call, rev)
    return replay


def _drop_table(schema: ExpectedSchema, call: Call, rev: str) -> None:
    schema.tables.pop(_key(call), None)


def _rename_table(schema: ExpectedSchema, call: Call, rev: str) -> None:
    table = schema.tables.pop(_key(call), None)
    if table is not None and call.new_name:
        schema.tables[table_key(call.new_name, call.schema)] = table


def _drop_index(schema: ExpectedSchema, call: Call, rev: str) -> None:
    tables = [schema.tables[_key(call)]] if _key(call) in schema.tables else (
        list(schema.tables.values()) if call.table is None else [])
    for table in tables:
        table.objects = [o for o in table.objects if o.name != call.target]


def _drop_column(table: _Table, call: Call, rev: str) -> None:
    """The column, and what the database drops with it: objects built on it alone."""
    column = call.target or ""
    table.columns.pop(column, None)
    table.objects = [o for o in table.objects if not _built_on(o, column)]


def _built_on(obj: _Object, column: str) -> bool:
    columns = obj.columns if obj.columns is not None else obj.uses
    return bool(columns) and column in columns  # type: ignore[operator]


def _alter_column(table: _Table, call: Call, rev: str) -> None:
    new, old = call.new_name, call.target
    if new and old in table.columns:
        table.columns[new] = table.columns.pop(old)
        for obj in table.objects:
            if obj.columns and old in obj.columns:
                obj.columns = tuple(new if c == old else c for c in obj.columns)
            if obj.uses and old in obj.uses:
                obj.uses = tuple(new if c == old else c for c in obj.uses)


def _create_object(table: _Table, call: Call, rev: str) -> None:
    for constraint in call.constraints:
        if constraint.kind in _KINDS:
            table.objects.append(_object(constraint.kind, constraint.name or call.target,
                                         constraint.columns, rev))


def _drop_constraint(table: _Table, call: Call, rev: str) -> None:
    table.objects = [o for o in table.objects if o.name != call.target]


_KINDS = {"unique constraint": "unique constraint", "foreign key": "foreign key",
          "check constraint": "check constraint", "index": "index"}
_REPLAY: dict[str, Callable[[ExpectedSchema, Call, str], None]] = {
    "create_table": _create_table,
    "drop_table": _drop_table,
    "rename_table": _rename_table,
    "add_column": _on_table(lambda table, call, rev: [
        _add_column(table, column, rev) for column in call.columns]),  # type: ignore[func-returns-value]
    "drop_column": _on_table(_drop_column),
    "alter_column": _on_table(_alter_column),
    "create_index": _on_table(_create_object),
    "drop_index": _drop_index,
    "create_unique_constraint": _on_table(_create_object),
    "create_foreign_key": _on_table(_create_object),
    "create_check_constraint": _on_table(_create_object),
    "drop_constraint": _on_table(_drop_constraint),
}
