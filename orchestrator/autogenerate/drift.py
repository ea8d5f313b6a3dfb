"""Drift: what a service's tables hold in the database that its migrations do not explain.

A database altered by hand (``ALTER TABLE ... ADD COLUMN`` run in a console, an index created
during an incident) misleads autogenerate: the hand-made object matches the models, so no
revision is generated for it, and databases migrated properly never get it. To catch that,
the schema the service's migrations build is read from its revision files (the operations of
every ``upgrade()``, through :mod:`orchestrator.history.operations`, replayed in history order) and
compared, by name, with the reflected tables the service owns:

- tables, columns, indexes, and unique, foreign-key and check constraints in the database that
  no revision creates are **unexplained**;
- tables, columns and named indexes or constraints a revision creates that the database lacks
  are **missing**.

Objects a revision creates without a name (``sa.Column(..., unique=True)``) are matched by
their columns instead. Limits, chosen so that nothing is reported that the migrations do
explain: column types, nullability, server defaults and primary keys are not compared (a type
changed by hand shows up as a model change instead); a table that a revision's SQL text
mentions (``op.execute("ALTER TABLE ...")``, ``connection.execute(text(...))``) is not
verified; a service whose revisions compute table names or run SQL that is not written out is
not verified at all. What was skipped is listed, never silently dropped.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from orchestrator.autogenerate.reflection import Snapshot
from orchestrator.history.operations import Operation, column_name, literal, read_operations
from orchestrator.history.revisions import ServiceHistory

#: Index and unique constraint names share one namespace: a backend may report one as the other.
_GROUPS = {"index": "index", "unique constraint": "index", "foreign key": "foreign key",
           "check constraint": "check constraint"}
_DDL = re.compile(r"\b(create|alter|drop|rename|comment\s+on)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Drift:
    service: str
    kind: str  # table, column, index, unique constraint, foreign key, check constraint
    table: str
    name: str | None
    state: str  # "unexplained" or "missing"
    revision: str | None = None  # for "missing": the revision that creates it

    @property
    def message(self) -> str:
        what = (f"table {self.table!r}" if self.kind == "table"
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


@dataclass
class _Table:
    revision: str
    columns: dict[str, str] = field(default_factory=dict)  # name -> revision that adds it
    objects: list[_Object] = field(default_factory=list)


@dataclass
class ExpectedSchema:
    """The tables a service's migrations build, replayed from its revision files."""

    tables: dict[str, _Table] = field(default_factory=dict)
    sql: list[tuple[str, str]] = field(default_factory=list)  # (revision, DDL text)
    opaque: str | None = None  # why nothing can be verified

    def mentioned(self, table: str) -> str | None:
        """The revision whose SQL text names ``table``, if any."""
        pattern = re.compile(rf"(?<![\w.]){re.escape(table)}(?!\w)", re.IGNORECASE)
        return next((rev for rev, sql in self.sql if pattern.search(sql)), None)


def expected_schema(history: ServiceHistory) -> ExpectedSchema:
    schema = ExpectedSchema()
    for rev in history.order:
        source = read_operations(history.revisions[rev].path)
        upgrade = source.functions().get("upgrade")
        if upgrade is not None and _DDL.search(ast.get_source_segment(source.text, upgrade) or ""):
            schema.sql += [(rev, text) for text in _strings(upgrade) if _DDL.search(text)]
        for op in source.in_function("upgrade"):
            sql = op.args.get("sqltext")
            if op.name == "execute" and not _strings(sql) and not isinstance(sql, ast.Call):
                schema.opaque = (f"{source.path.name}:{op.line} runs SQL that is not written "
                                 "out in the revision")
            apply = _REPLAY.get(op.name)
            if apply is None:
                continue
            if (op.table is None and op.name != "drop_index") or (
                    op.target is None and op.name.startswith(("drop_", "rename_"))
                    and op.name != "drop_table"):
                schema.opaque = (f"{source.path.name}:{op.line} computes a name in "
                                 f"op.{op.name}(...)")
                continue
            apply(schema, op, rev)
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
    for index in snapshot.records("indexes", table) or []:
        if not index.get("duplicates_constraint"):
            live.append(("index", index["name"], _columns(index.get("column_names"))))
    for unique in snapshot.records("unique_constraints", table) or []:
        live.append(("unique constraint", unique["name"], _columns(unique["column_names"])))
    for fk in snapshot.records("foreign_keys", table) or []:
        live.append(("foreign key", fk["name"], _columns(fk["constrained_columns"])))
    for check in snapshot.records("check_constraints", table) or []:
        live.append(("check constraint", check["name"], None))
    return live


def _columns(names: object) -> tuple[str, ...] | None:
    if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names):
        return tuple(names)
    return None


# --- replaying operations ------------------------------------------------------------------

def _create_table(schema: ExpectedSchema, op: Operation, rev: str) -> None:
    table = schema.tables[op.table] = _Table(rev)  # type: ignore[index]
    items = op.args.get("columns")
    for item in items if isinstance(items, list) else []:
        callee = _callee(item)
        if callee == "Column":
            _add_column(table, item, rev)
        elif callee in _CONSTRAINTS and isinstance(item, ast.Call):
            kind = _CONSTRAINTS[callee]
            name = _keyword(item, "name")
            columns = None
            if kind == "unique constraint":
                columns = _columns([literal(a) for a in item.args])
            elif kind == "foreign key" and item.args:
                columns = _columns(literal(item.args[0]))
            elif kind == "index":
                name = literal(item.args[0]) if item.args else name
                columns = _columns([literal(a) for a in item.args[1:]])
            table.objects.append(_Object(kind, name if isinstance(name, str) else None,
                                         columns, rev))


def _add_column(table: _Table, column: ast.expr | None, rev: str) -> None:
    """A ``sa.Column(...)``: its name and what it creates inline (index, unique, FK, check)."""
    name = column_name(column)
    if name is None or not isinstance(column, ast.Call):
        return
    table.columns[name] = rev
    if _keyword(column, "index") is True:
        kind = "unique constraint" if _keyword(column, "unique") is True else "index"
        table.objects.append(_Object(kind, None, (name,), rev))
    elif _keyword(column, "unique") is True:
        table.objects.append(_Object("unique constraint", None, (name,), rev))
    for arg in column.args[1:]:
        if _callee(arg) == "ForeignKey":
            table.objects.append(_Object("foreign key", None, (name,), rev))
        elif isinstance(arg, ast.Call) and _keyword(arg, "create_constraint") is True:
            table.objects.append(_Object("check constraint", None, None, rev))


def _on_table(apply: Callable[[_Table, Operation, str], None]
              ) -> Callable[[ExpectedSchema, Operation, str], None]:
    def replay(schema: ExpectedSchema, op: Operation, rev: str) -> None:
        table = schema.tables.get(op.table)  # type: ignore[arg-type]
        if table is not None:
            apply(table, op, rev)
    return replay


def _drop_table(schema: ExpectedSchema, op: Operation, rev: str) -> None:
    schema.tables.pop(op.table, None)  # type: ignore[arg-type]


def _rename_table(schema: ExpectedSchema, op: Operation, rev: str) -> None:
    table = schema.tables.pop(op.table, None)  # type: ignore[arg-type]
    if table is not None and op.target:
        schema.tables[op.target] = table


def _drop_index(schema: ExpectedSchema, op: Operation, rev: str) -> None:
    tables = [schema.tables[op.table]] if op.table in schema.tables else (
        list(schema.tables.values()) if op.table is None else [])
    for table in tables:
        table.objects = [o for o in table.objects if o.name != op.target]


def _drop_column(table: _Table, op: Operation, rev: str) -> None:
    table.columns.pop(op.target or "", None)
    table.objects = [o for o in table.objects if not o.columns or op.target not in o.columns]


def _alter_column(table: _Table, op: Operation, rev: str) -> None:
    new = op.literal("new_column_name")
    if isinstance(new, str) and op.target in table.columns:
        table.columns[new] = table.columns.pop(op.target)
        for obj in table.objects:
            if obj.columns and op.target in obj.columns:
                obj.columns = tuple(new if c == op.target else c for c in obj.columns)


def _create_object(kind: str, columns_param: str | None
                   ) -> Callable[[_Table, Operation, str], None]:
    def apply(table: _Table, op: Operation, rev: str) -> None:
        columns = _columns(op.literal(columns_param)) if columns_param else None
        table.objects.append(_Object(kind, op.target, columns, rev))
    return apply


def _drop_constraint(table: _Table, op: Operation, rev: str) -> None:
    table.objects = [o for o in table.objects if o.name != op.target]


_CONSTRAINTS = {"UniqueConstraint": "unique constraint", "ForeignKeyConstraint": "foreign key",
                "CheckConstraint": "check constraint", "Index": "index"}
_REPLAY: dict[str, Callable[[ExpectedSchema, Operation, str], None]] = {
    "create_table": _create_table,
    "drop_table": _drop_table,
    "rename_table": _rename_table,
    "add_column": _on_table(lambda table, op, rev: _add_column(table, op.args.get("column"), rev)),
    "drop_column": _on_table(_drop_column),
    "alter_column": _on_table(_alter_column),
    "create_index": _on_table(_create_object("index", "columns")),
    "drop_index": _drop_index,
    "create_unique_constraint": _on_table(_create_object("unique constraint", "columns")),
    "create_foreign_key": _on_table(_create_object("foreign key", "local_cols")),
    "create_check_constraint": _on_table(_create_object("check constraint", None)),
    "drop_constraint": _on_table(_drop_constraint),
}


def _callee(node: object) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return None


def _keyword(call: ast.Call, name: str) -> object | None:
    return next((literal(k.value) for k in call.keywords if k.arg == name), None)


def _strings(node: object) -> list[str]:
    """Every string written out in ``node`` (SQL text, f-string parts), for naming tables."""
    if not isinstance(node, ast.AST):
        return []
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)]
