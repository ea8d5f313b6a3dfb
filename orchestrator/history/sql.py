"""SQL text read with a real parser: PostgreSQL's own (``pglast``) or ``sqlglot`` for the rest.

A revision's raw SQL (``op.execute`` text, statements run on ``op.get_bind()``) and the SQL
Alembic renders for its operations are split into statements and each is read into a
:class:`Statement`: its kind (DDL, DML), verb, the table it acts on, the object it names, and,
for ``ALTER TABLE``/``ALTER INDEX``/renames, one :class:`Clause` per thing it does (drops
column ``c`` with CASCADE, renames index ``a`` to ``b``, adds foreign key ``fk`` NOT VALID).
Nothing here guesses from the text: a statement the parser rejects is kept with
``parsed=False`` and verb ``other``, so a consumer can say it could not read it.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pglast
import sqlglot
from pglast import ast as pg
from pglast import enums as pg_enums
from sqlglot import exp
from sqlglot.errors import SqlglotError

#: Alembic/SQLAlchemy dialect names -> sqlglot's.
_SQLGLOT = {"sqlite": "sqlite", "mysql": "mysql", "mariadb": "mysql", "mssql": "tsql",
            "oracle": "oracle"}
_DDL = {"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMENT", "GRANT", "REVOKE"}
_DML = {"INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "COPY"}
_TRANSACTION = {"BEGIN", "COMMIT", "ROLLBACK", "START", "SAVEPOINT", "RELEASE", "END"}


@dataclass(frozen=True)
class Clause:
    """One thing an ``ALTER TABLE`` (or a rename) does.

    ``kind``: ``add column``, ``drop column``, ``alter column``, ``rename column``,
    ``add constraint``, ``drop constraint``, ``rename constraint``, ``rename table``,
    ``add index``/``drop index`` (MySQL), or ``other``. ``constraint`` is the kind of constraint
    added or dropped when the SQL says it (``foreign key``, ``check``, ``unique``,
    ``primary key``), for ``add column`` the first constraint written inline with the column; ``change`` what an ``alter column`` changes (``type``, ``set not null``,
    ``drop not null``, ``set default``, ``drop default``).
    """

    kind: str
    name: str | None = None
    new_name: str | None = None
    constraint: str | None = None
    change: str | None = None
    columns: tuple[str, ...] = ()
    cascade: bool = False
    not_valid: bool = False
    using: bool = False
    #: ``add constraint`` (primary key, unique) built from an existing index (``USING INDEX``).
    using_index: bool = False
    #: ``add column``: the column's type as written, lower case (``bigserial``).
    type: str | None = None


@dataclass(frozen=True)
class Statement:
    """One SQL statement and where in the revision it came from.

    ``origin`` is the Alembic directive whose rendering wrote it (``add_column``,
    ``batch_alter_table`` for a batch block Alembic re-creates as a whole, ``execute`` for
    ``op.execute``), or None when the revision ran it on a connection itself.
    """

    sql: str
    line: int | None
    origin: str | None
    kind: str  # "ddl", "dml" or "other"
    verb: str  # create table, alter table, create index, ... ; "other" when not one of them
    table: str | None = None
    name: str | None = None
    #: The text after the table name of an ``ALTER TABLE`` (``DROP COLUMN notes``).
    action: str = ""
    clauses: tuple[Clause, ...] = ()
    #: Every table a ``DROP TABLE``/``TRUNCATE`` names (``table`` is the first).
    tables: tuple[str, ...] = ()
    concurrently: bool = False
    where: bool = False  # an UPDATE/DELETE with a WHERE clause
    #: An UPDATE/DELETE whose WHERE, if any, only tests columns for NULL or truth: it reaches
    #: every row that needs it in one statement (a back-fill not done in batches).
    unbatched: bool = False
    parsed: bool = True
    #: Whether it runs inside the revision's transaction (False after an ``autocommit_block``
    #: or a hand-written ``COMMIT``, until the next ``BEGIN``).
    in_transaction: bool = True
    #: Identifiers the statement spells longer than the dialect keeps (PostgreSQL: 63 bytes).
    long_names: tuple[str, ...] = ()

    @property
    def raw(self) -> bool:
        """Written by hand (``op.execute`` or a connection), not by an ``op`` directive."""
        return self.origin in (None, "execute")

    def has(self, pattern: str) -> bool:
        """Whether the statement's text matches ``pattern`` (case-insensitive regex)."""
        return re.search(pattern, self.sql, re.IGNORECASE | re.DOTALL) is not None

    def summary(self) -> str:
        """A few words: ``insert into invoice_statuses``, ``create table orders``."""
        if self.verb == "other" or not (self.table or self.name):
            return " ".join(self.sql.split()[:3])
        return f"{self.verb} {self.table or self.name}"

    def describe(self) -> str:
        """The statement shortened to one line, for messages."""
        text = " ".join(self.sql.split())
        return text if len(text) <= 80 else text[:77] + "..."


def read_sql(script: str, line: int | None, origin: str | None, dialect: str
             ) -> list[Statement]:
    """Every statement of ``script`` (transaction control and comments left out)."""
    return read_script(script, line, origin, dialect, True)[0]


def read_script(script: str, line: int | None, origin: str | None, dialect: str,
                in_transaction: bool) -> tuple[list[Statement], bool]:
    """Every statement of ``script``, each marked inside the transaction or not, and whether
    a transaction is open after it (``COMMIT`` closes it, ``BEGIN`` opens one)."""
    found = []
    for sql in split(script, dialect):
        control = _first_word(sql.strip())
        if control in _TRANSACTION:
            if control in ("BEGIN", "START"):
                in_transaction = True
            elif control in ("COMMIT", "ROLLBACK", "END"):
                in_transaction = False
            continue
        statement = classify(sql, line, origin, dialect)
        if statement is not None:
            if not in_transaction:
                statement = _with(statement, in_transaction=False)
            found.append(statement)
    return found, in_transaction


def split(script: str, dialect: str = "postgresql") -> list[str]:
    """The statements of ``script``, as written (quotes, dollar quotes, comments respected)."""
    if dialect == "postgresql":
        try:
            return [s for s in pglast.split(script, with_parser=False) if s.strip()]
        except pglast.parser.ParseError:
            return [script.strip()] if script.strip() else []
    tokens = _sqlglot_tokens(script, dialect)
    if tokens is None:
        return [script.strip()] if script.strip() else []
    found: list[str] = []
    start: int | None = None
    end = 0
    for token in tokens:
        if token.token_type is sqlglot.TokenType.SEMICOLON:
            if start is not None:
                found.append(script[start:end + 1])
            start = None
            continue
        if start is None:
            start = token.start
        end = token.end
    if start is not None:
        found.append(script[start:end + 1])
    return [s.strip() for s in found if s.strip()]


def classify(sql: str, line: int | None, origin: str | None, dialect: str = "postgresql"
             ) -> Statement | None:
    """The statement ``sql`` as the dialect's parser reads it; None for transaction control."""
    text = sql.strip().rstrip(";").strip()
    first = _first_word(text)
    if not first or first in _TRANSACTION:
        return None
    kind = "ddl" if first in _DDL else "dml" if first in _DML else "other"
    base = Statement(text, line, origin, kind, "other")
    if dialect == "postgresql":
        return _read_postgresql(base)
    return _read_sqlglot(base, dialect)


def _first_word(text: str) -> str:
    """The first keyword, after leading comments."""
    while text.startswith(("--", "/*")):
        end = text.find("\n") if text.startswith("--") else text.find("*/")
        text = "" if end == -1 else text[end + (1 if text.startswith("--") else 2):].lstrip()
    return text.split(None, 1)[0].upper().rstrip(";") if text else ""


# --- PostgreSQL, through pglast ------------------------------------------------------------

def _read_postgresql(base: Statement) -> Statement:
    try:
        parsed = pglast.parse_sql(base.sql)
    except pglast.parser.ParseError:
        return _unparsed(base)
    if len(parsed) != 1:
        return base
    node = parsed[0].stmt
    long_names = _pg_long_names(base.sql)
    if long_names:
        base = _with(base, long_names=long_names)
    reader = _PG_READERS.get(type(node))
    if reader is None:
        return base
    found = reader(base, node)
    return found if found is not None else base


#: PostgreSQL keeps the first NAMEDATALEN - 1 bytes of an identifier and drops the rest.
PG_MAX_IDENTIFIER = 63


def _pg_long_names(sql: str) -> tuple[str, ...]:
    """Identifiers PostgreSQL's scanner reads in ``sql`` that it would truncate."""
    if len(sql.encode()) <= PG_MAX_IDENTIFIER:
        return ()
    found = []
    for token in pglast.parser.scan(sql):
        if token.name == "IDENT":
            text = sql[token.start:token.end + 1]
            name = text[1:-1].replace('""', '"') if text.startswith('"') else text.lower()
            if len(name.encode()) > PG_MAX_IDENTIFIER:
                found.append(name)
    return tuple(dict.fromkeys(found))


def _unparsed(base: Statement) -> Statement:
    return Statement(base.sql, base.line, base.origin, base.kind, "other", parsed=False)


def _with(base: Statement, **changes: Any) -> Statement:
    values = {**base.__dict__, **changes}
    return Statement(**values)


def _range(var: Any) -> str | None:
    if var is None:
        return None
    parts = [p for p in (getattr(var, "catalogname", None), var.schemaname, var.relname) if p]
    return ".".join(parts) or None


def _dotted(items: Any) -> str | None:
    names = [getattr(i, "sval", None) for i in items or ()]
    return ".".join(n for n in names if n) or None


def _pg_create_table(base: Statement, node: pg.CreateStmt) -> Statement:
    return _with(base, verb="create table", table=_range(node.relation))


def _pg_create_table_as(base: Statement, node: pg.CreateTableAsStmt) -> Statement | None:
    if node.objtype != pg_enums.ObjectType.OBJECT_TABLE:
        return None
    return _with(base, verb="create table", table=_range(node.into.rel))


def _pg_index(base: Statement, node: pg.IndexStmt) -> Statement:
    columns = tuple(p.name for p in node.indexParams or () if getattr(p, "name", None))
    return _with(base, verb="create index", table=_range(node.relation), name=node.idxname,
                 concurrently=bool(node.concurrent),
                 clauses=(Clause("add index", node.idxname, columns=columns),))


_PG_DROPS = {
    pg_enums.ObjectType.OBJECT_TABLE: "drop table",
    pg_enums.ObjectType.OBJECT_INDEX: "drop index",
    pg_enums.ObjectType.OBJECT_SCHEMA: "drop schema",
    pg_enums.ObjectType.OBJECT_TYPE: "drop type",
    pg_enums.ObjectType.OBJECT_DOMAIN: "drop type",
    pg_enums.ObjectType.OBJECT_FUNCTION: "drop function",
    pg_enums.ObjectType.OBJECT_PROCEDURE: "drop function",
    pg_enums.ObjectType.OBJECT_SEQUENCE: "drop sequence",
}


def _pg_object_name(item: Any) -> str | None:
    """The name a DROP gives: ``a.b`` (a qualified name), a type's, a function's."""
    if isinstance(item, tuple):
        return _dotted(item)
    if isinstance(item, pg.TypeName):
        return _dotted(item.names)
    if isinstance(item, pg.ObjectWithArgs):
        return _dotted(item.objname)
    return getattr(item, "sval", None)


def _pg_drop(base: Statement, node: pg.DropStmt) -> Statement | None:
    verb = _PG_DROPS.get(node.removeType)
    if verb is None:
        return None
    names = tuple(n for n in (_pg_object_name(o) for o in node.objects or ()) if n)
    first = names[0] if names else None
    if verb == "drop table":
        return _with(base, verb=verb, table=first, tables=names)
    return _with(base, verb=verb, name=first, tables=names, concurrently=bool(node.concurrent))


def _pg_schema(base: Statement, node: pg.CreateSchemaStmt) -> Statement:
    return _with(base, verb="create schema", name=node.schemaname)


def _pg_alter(base: Statement, node: pg.AlterTableStmt) -> Statement | None:
    table = _range(node.relation)
    clauses = tuple(_pg_clause(cmd) for cmd in node.cmds or ())
    if node.objtype == pg_enums.ObjectType.OBJECT_INDEX:
        return _with(base, verb="alter index", name=table, clauses=clauses)
    if node.objtype != pg_enums.ObjectType.OBJECT_TABLE:
        return None
    first = clauses[0] if clauses else None
    return _with(base, verb="alter table", table=table, name=first.name if first else None,
                 action=_pg_action(base.sql, node.relation.location), clauses=clauses)


_AT = pg_enums.AlterTableType
_ALTER_CHANGES = {
    _AT.AT_AlterColumnType: "type", _AT.AT_SetNotNull: "set not null",
    _AT.AT_DropNotNull: "drop not null", _AT.AT_ColumnDefault: "default",
}
_CONSTRAINTS = {
    pg_enums.ConstrType.CONSTR_FOREIGN: "foreign key", pg_enums.ConstrType.CONSTR_CHECK: "check",
    pg_enums.ConstrType.CONSTR_UNIQUE: "unique", pg_enums.ConstrType.CONSTR_PRIMARY: "primary key",
    pg_enums.ConstrType.CONSTR_EXCLUSION: "exclude",
}


def _pg_clause(cmd: pg.AlterTableCmd) -> Clause:
    subtype = cmd.subtype
    cascade = cmd.behavior == pg_enums.DropBehavior.DROP_CASCADE
    if subtype == _AT.AT_AddColumn:
        inline = [c for c in cmd.def_.constraints or () if c.contype in _CONSTRAINTS]
        first = inline[0] if inline else None
        type_name = cmd.def_.typeName
        return Clause("add column", cmd.def_.colname,
                      constraint=_CONSTRAINTS.get(first.contype) if first else None,
                      not_valid=bool(first.skip_validation) if first else False,
                      type=type_name.names[-1].sval.lower() if type_name else None)
    if subtype == _AT.AT_DropColumn:
        return Clause("drop column", cmd.name, cascade=cascade)
    if subtype in _ALTER_CHANGES:
        change = _ALTER_CHANGES[subtype]
        if change == "default":
            change = "set default" if cmd.def_ is not None else "drop default"
        using = bool(getattr(cmd.def_, "raw_default", None)) if change == "type" else False
        return Clause("alter column", cmd.name, change=change, using=using)
    if subtype == _AT.AT_AddConstraint:
        constraint = cmd.def_
        columns = tuple(getattr(k, "sval", "") for k in (
            constraint.fk_attrs or constraint.keys or ()))
        return Clause("add constraint", constraint.conname,
                      constraint=_CONSTRAINTS.get(constraint.contype), columns=columns,
                      not_valid=bool(constraint.skip_validation),
                      using_index=bool(constraint.indexname))
    if subtype == _AT.AT_DropConstraint:
        return Clause("drop constraint", cmd.name, cascade=cascade)
    if subtype == _AT.AT_ValidateConstraint:
        return Clause("validate constraint", cmd.name)
    return Clause("other", cmd.name)


def _pg_rename(base: Statement, node: pg.RenameStmt) -> Statement | None:
    kind = node.renameType
    relation = _range(node.relation)
    if kind in (pg_enums.ObjectType.OBJECT_TABLE,):
        return _with(base, verb="alter table", table=relation, name=node.newname,
                     action=_pg_action(base.sql, node.relation.location),
                     clauses=(Clause("rename table", relation, node.newname),))
    if kind == pg_enums.ObjectType.OBJECT_COLUMN and (
            node.relationType == pg_enums.ObjectType.OBJECT_TABLE):
        return _with(base, verb="alter table", table=relation, name=node.subname,
                     action=_pg_action(base.sql, node.relation.location),
                     clauses=(Clause("rename column", node.subname, node.newname),))
    if kind == pg_enums.ObjectType.OBJECT_TABCONSTRAINT:
        return _with(base, verb="alter table", table=relation, name=node.subname,
                     action=_pg_action(base.sql, node.relation.location),
                     clauses=(Clause("rename constraint", node.subname, node.newname),))
    if kind == pg_enums.ObjectType.OBJECT_INDEX:
        return _with(base, verb="alter index", name=relation,
                     clauses=(Clause("rename index", relation, node.newname),))
    if kind in (pg_enums.ObjectType.OBJECT_TYPE, pg_enums.ObjectType.OBJECT_DOMAIN,
                pg_enums.ObjectType.OBJECT_FUNCTION, pg_enums.ObjectType.OBJECT_SEQUENCE):
        what = _PG_CREATES_BY_TYPE[kind].replace("create", "rename")
        old = relation or _pg_object_name(node.object)
        return _with(base, verb=f"alter {what.split()[1]}", name=old,
                     clauses=(Clause(what, old, node.newname),))
    return None


_PG_CREATES_BY_TYPE = {
    pg_enums.ObjectType.OBJECT_TYPE: "create type",
    pg_enums.ObjectType.OBJECT_DOMAIN: "create type",
    pg_enums.ObjectType.OBJECT_FUNCTION: "create function",
    pg_enums.ObjectType.OBJECT_SEQUENCE: "create sequence",
}


def _pg_alter_enum(base: Statement, node: pg.AlterEnumStmt) -> Statement:
    name = _dotted(node.typeName)
    if node.oldVal:
        clause = Clause("rename value", node.oldVal, node.newVal)
    else:
        clause = Clause("add value", node.newVal, node.newValNeighbor)
    return _with(base, verb="alter type", name=name, clauses=(clause,))


def _pg_create_object(verb: str, attr: str):  # noqa: ANN202 - a reader factory
    """``CREATE TYPE``/``FUNCTION``/``SEQUENCE``: the name it creates."""
    def read(base: Statement, node: Any) -> Statement:
        value = getattr(node, attr, None)
        name = _range(value) if isinstance(value, pg.RangeVar) else (
            _dotted(value) if isinstance(value, tuple) else None)
        return _with(base, verb=verb, name=name)
    return read


def _pg_set(base: Statement, node: pg.VariableSetStmt) -> Statement:
    return _with(base, verb="set", name=node.name)


def _pg_dml(verb: str):  # noqa: ANN202 - a reader factory
    def read(base: Statement, node: Any) -> Statement | None:
        if getattr(node, "withClause", None) is not None:
            return _with(base, kind="dml")  # a CTE: its parts are not one table's rows
        condition = getattr(node, "whereClause", None)
        unbatched = verb != "insert" and _pg_reaches_every_row(condition)
        return _with(base, verb=verb, table=_range(node.relation),
                     where=condition is not None, unbatched=unbatched)
    return read


def _pg_reaches_every_row(condition: Any) -> bool:
    """No WHERE, or one made only of NULL and truth tests (``c IS NULL AND d IS NOT TRUE``)."""
    if condition is None or isinstance(condition, (pg.NullTest, pg.BooleanTest)):
        return True
    if isinstance(condition, pg.BoolExpr):
        return all(_pg_reaches_every_row(arg) for arg in condition.args or ())
    return False


def _pg_truncate(base: Statement, node: pg.TruncateStmt) -> Statement:
    tables = tuple(t for t in (_range(r) for r in node.relations or ()) if t)
    return _with(base, verb="truncate", table=tables[0] if tables else None, tables=tables)


def _pg_comment(base: Statement, node: pg.CommentStmt) -> Statement | None:
    if node.objtype == pg_enums.ObjectType.OBJECT_TABLE:
        return _with(base, verb="comment", table=_dotted(node.object))
    if node.objtype == pg_enums.ObjectType.OBJECT_COLUMN:
        table, _, column = (_dotted(node.object) or "").rpartition(".")
        return _with(base, verb="comment", table=table or None, name=column or None)
    return None


_PG_READERS = {
    pg.CreateStmt: _pg_create_table, pg.CreateTableAsStmt: _pg_create_table_as,
    pg.IndexStmt: _pg_index, pg.DropStmt: _pg_drop, pg.CreateSchemaStmt: _pg_schema,
    pg.AlterTableStmt: _pg_alter, pg.RenameStmt: _pg_rename,
    pg.InsertStmt: _pg_dml("insert"), pg.UpdateStmt: _pg_dml("update"),
    pg.DeleteStmt: _pg_dml("delete"), pg.TruncateStmt: _pg_truncate,
    pg.CommentStmt: _pg_comment, pg.AlterEnumStmt: _pg_alter_enum,
    pg.CreateEnumStmt: _pg_create_object("create type", "typeName"),
    pg.CompositeTypeStmt: _pg_create_object("create type", "typevar"),
    pg.CreateDomainStmt: _pg_create_object("create type", "domainname"),
    pg.CreateFunctionStmt: _pg_create_object("create function", "funcname"),
    pg.CreateSeqStmt: _pg_create_object("create sequence", "sequence"),
    pg.VariableSetStmt: _pg_set,
}


def _pg_action(sql: str, location: int | None) -> str:
    """The text after the (possibly qualified) relation name starting at ``location``."""
    if location is None or location < 0:
        return ""
    try:
        tokens = [t for t in pglast.parser.scan(sql) if t.start >= location]
    except pglast.parser.ParseError:
        return ""
    index = 1
    while index + 1 < len(tokens) and sql[tokens[index].start:tokens[index].end + 1] == ".":
        index += 2
    return sql[tokens[index].start:].strip() if index < len(tokens) else ""


# --- other dialects, through sqlglot -------------------------------------------------------

_QUIET = logging.getLogger("sqlglot")


def _sqlglot_tokens(script: str, dialect: str) -> list[Any] | None:
    try:
        return sqlglot.Dialect.get_or_raise(_SQLGLOT.get(dialect, dialect)).tokenize(script)
    except (SqlglotError, ValueError):
        return None


@lru_cache(maxsize=4096)
def _sqlglot_parse(sql: str, dialect: str) -> exp.Expression | None:
    level = _QUIET.level
    _QUIET.setLevel(logging.CRITICAL)  # unsupported syntax is a Command, not a warning
    try:
        return sqlglot.parse_one(sql, read=_SQLGLOT.get(dialect, dialect))
    except (SqlglotError, ValueError):
        return None
    finally:
        _QUIET.setLevel(level)


def _read_sqlglot(base: Statement, dialect: str) -> Statement:
    node = _sqlglot_parse(base.sql, dialect)
    if node is None:
        return _unparsed(base)
    if isinstance(node, exp.Command):
        return _sg_command(base, node, dialect)
    if node.args.get("with") is not None or node.args.get("with_") is not None:
        return _with(base, kind="dml") if isinstance(node, exp.DML) else base
    if isinstance(node, exp.Create):
        return _sg_create(base, node)
    if isinstance(node, exp.Drop):
        return _sg_drop(base, node)
    if isinstance(node, exp.Alter) and str(node.args.get("kind", "")).upper() == "TABLE":
        clauses = tuple(_sg_clause(a) for a in node.args.get("actions") or ())
        first = clauses[0] if clauses else None
        return _with(base, verb="alter table", table=_sg_table(node.this),
                     name=first.new_name if first and first.kind == "rename table"
                     else first.name if first else None,
                     action=_sg_action(base.sql, dialect), clauses=clauses)
    for kind, verb in ((exp.Insert, "insert"), (exp.Update, "update"), (exp.Delete, "delete")):
        if isinstance(node, kind):
            target = node.this
            if isinstance(target, exp.Schema):
                target = target.this
            where = node.args.get("where")
            return _with(base, verb=verb, table=_sg_table(target), where=where is not None,
                         unbatched=verb != "insert" and (
                             where is None or _sg_reaches_every_row(where.this)))
    if isinstance(node, exp.TruncateTable):
        tables = tuple(t for t in (_sg_table(e) for e in node.expressions) if t)
        return _with(base, verb="truncate", table=tables[0] if tables else None, tables=tables)
    return base


def _sg_reaches_every_row(condition: Any) -> bool:
    if isinstance(condition, exp.Paren):
        return _sg_reaches_every_row(condition.this)
    if isinstance(condition, exp.Not):
        return isinstance(condition.this, exp.Is)
    if isinstance(condition, exp.Is):
        return True
    if isinstance(condition, (exp.And, exp.Or)):
        return _sg_reaches_every_row(condition.this) and _sg_reaches_every_row(
            condition.expression)
    return False


def _sg_name(node: Any) -> str | None:
    if node is None:
        return None
    if isinstance(node, exp.Identifier):
        return node.this
    return getattr(node, "name", None) or None


def _sg_table(node: Any) -> str | None:
    if not isinstance(node, exp.Table):
        return _sg_name(node)
    parts = [_sg_name(node.args.get(k)) for k in ("catalog", "db", "this")]
    return ".".join(p for p in parts if p) or None


def _sg_create(base: Statement, node: exp.Create) -> Statement:
    kind = str(node.args.get("kind", "")).upper()
    target = node.this
    if kind == "TABLE":
        table = target.this if isinstance(target, exp.Schema) else target
        return _with(base, verb="create table", table=_sg_table(table))
    if kind == "INDEX" and isinstance(target, exp.Index):
        params = target.args.get("params")
        columns = tuple(c.name for c in (params.args.get("columns") or []) if c.name) \
            if params is not None else ()
        name = _sg_name(target.this)
        return _with(base, verb="create index", table=_sg_table(target.args.get("table")),
                     name=name, clauses=(Clause("add index", name, columns=columns),))
    if kind == "SCHEMA":
        return _with(base, verb="create schema", name=_sg_table(target))
    return base


def _sg_drop(base: Statement, node: exp.Drop) -> Statement:
    kind = str(node.args.get("kind", "")).upper()
    names = tuple(n for n in (_sg_table(t) for t in node.args.get("tables") or [node.this]) if n)
    first = names[0] if names else None
    if kind == "TABLE":
        return _with(base, verb="drop table", table=first, tables=names)
    if kind == "INDEX":
        on = node.args.get("cluster")
        table = _sg_table(on.this) if isinstance(on, exp.OnProperty) else None
        return _with(base, verb="drop index", name=first, table=table, tables=names)
    if kind == "SCHEMA":
        return _with(base, verb="drop schema", name=first, tables=names)
    return base


def _sg_clause(action: exp.Expression) -> Clause:
    if isinstance(action, exp.ColumnDef):
        return Clause("add column", _sg_name(action.this))
    if isinstance(action, exp.Drop):
        kind = str(action.args.get("kind", "")).upper()
        names = [_sg_table(t) for t in action.args.get("tables") or []]
        name = names[0] if names else None
        if kind == "COLUMN":
            return Clause("drop column", name, cascade=bool(action.args.get("cascade")))
        if kind == "INDEX":
            return Clause("drop index", name)
        if kind in ("CONSTRAINT", "FOREIGN KEY", "CHECK", "PRIMARY KEY"):
            constraint = None if kind == "CONSTRAINT" else kind.lower()
            return Clause("drop constraint", name, constraint=constraint)
        return Clause("other", name)
    if isinstance(action, exp.ModifyColumn) or type(action).__name__ == "ModifyColumn":
        column = action.this
        renamed = _sg_name(action.args.get("rename_from"))
        if renamed:
            return Clause("rename column", renamed, _sg_name(column.this), change="type")
        return Clause("alter column", _sg_name(getattr(column, "this", column)), change="type")
    if isinstance(action, exp.AlterColumn):
        change = ("type" if action.args.get("dtype") is not None else
                  "set not null" if action.args.get("allow_null") is False else
                  "drop not null" if action.args.get("allow_null") is True else
                  "drop default" if action.args.get("drop") else
                  "set default" if action.args.get("default") is not None else None)
        return Clause("alter column", _sg_name(action.this), change=change,
                      using=action.args.get("using") is not None)
    if isinstance(action, exp.RenameColumn):
        return Clause("rename column", _sg_name(action.this), _sg_name(action.args.get("to")))
    if isinstance(action, exp.AlterRename):
        return Clause("rename table", None, _sg_table(action.this))
    if isinstance(action, exp.AddConstraint):
        for constraint in action.expressions:
            name = _sg_name(constraint.this) if isinstance(constraint, exp.Constraint) else None
            kinds = {type(e).__name__ for e in constraint.walk()}
            what = ("foreign key" if "ForeignKey" in kinds else "check" if "CheckColumnConstraint"
                    in kinds or "Check" in kinds else "unique" if "UniqueColumnConstraint" in kinds
                    else "primary key" if "PrimaryKey" in kinds else None)
            return Clause("add constraint", name, constraint=what)
    return Clause("other")


def _sg_command(base: Statement, node: exp.Command, dialect: str) -> Statement:
    """``RENAME TABLE a TO b`` (MySQL), which sqlglot leaves as a command."""
    rest = node.expression.name if isinstance(node.expression, exp.Literal) else ""
    words = [t.text for t in _sqlglot_tokens(rest, dialect) or []]
    if str(node.this).upper() == "RENAME" and words[:1] == ["TABLE"] and "TO" in (
            w.upper() for w in words):
        names = _qualified_names(words[1:])
        if len(names) >= 2:
            return _with(base, verb="rename table", table=names[0], name=names[1],
                         clauses=(Clause("rename table", names[0], names[1]),))
    return base


def _qualified_names(words: list[str]) -> list[str]:
    """``a . b TO c`` -> ``["a.b", "c"]``."""
    names: list[str] = []
    current: list[str] = []
    for word in words:
        if word == ".":
            continue
        if word.upper() in ("TO", ","):
            names.append(".".join(current))
            current = []
        else:
            current.append(word)
    if current:
        names.append(".".join(current))
    return [n for n in names if n]


def _sg_action(sql: str, dialect: str) -> str:
    """The text after ``ALTER TABLE [IF EXISTS] [ONLY] name``."""
    tokens = _sqlglot_tokens(sql, dialect) or []
    index = 2
    while index < len(tokens) and tokens[index].text.upper() in ("IF", "EXISTS", "ONLY"):
        index += 1
    index += 1
    while index + 1 < len(tokens) and tokens[index].text == ".":
        index += 2
    return sql[tokens[index].start:].strip() if index < len(tokens) else ""


def expression_columns(expression: str, dialect: str = "postgresql") -> tuple[str, ...] | None:
    """The column names an SQL expression (a check constraint's) refers to; None when the
    parser cannot read it."""
    if dialect == "postgresql":
        try:
            parsed = pglast.parse_sql(f"SELECT {expression}")
        except pglast.parser.ParseError:
            return None
        names = []
        for node in _pg_walk(parsed[0].stmt):
            if isinstance(node, pg.ColumnRef):
                last = node.fields[-1] if node.fields else None
                if isinstance(last, pg.String):
                    names.append(last.sval)
        return tuple(dict.fromkeys(names))
    node = _sqlglot_parse(f"SELECT {expression}", dialect)
    if node is None:
        return None
    return tuple(dict.fromkeys(c.name for c in node.find_all(exp.Column) if c.name))


def _pg_walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, tuple):
        for item in node:
            yield from _pg_walk(item)
    elif isinstance(node, pg.Node):
        for name in node:
            yield from _pg_walk(getattr(node, name))
