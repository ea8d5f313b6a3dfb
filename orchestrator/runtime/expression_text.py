"""SQL expressions (check conditions, index predicates) compared as the database reads them.

A model says ``CheckConstraint("status IN ('a', 'b')")``; PostgreSQL hands it back as
``(status)::text = ANY ((ARRAY['a'::character varying, ...])::text[])``, SQLite as written.
Both sides are first read by a real parser (pglast for PostgreSQL, sqlglot for the rest) and
compared as syntax trees, so spacing, letter case and redundant parentheses never count. On
PostgreSQL, texts whose trees still differ are handed to the server itself: it deparses the
model's expression against a temporary copy of the table's columns, inside a savepoint that is
rolled back, and that deparsed text is what the database would hold. Nothing is compared by
regular expressions.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pglast
import sqlglot
from pglast.stream import RawStream
from sqlalchemy import text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlglot import exp
from sqlglot.errors import SqlglotError

PROBE_TABLE = "orchestrate_expression_probe"
#: How many times a model text is handed back to PostgreSQL's deparser (see :func:`differing`).
DEPARSE_ROUNDS = 3


def compiled(expression: Any, dialect: Dialect) -> str:
    """A model expression (text or SQLAlchemy clause) as the dialect writes it in DDL."""
    if isinstance(expression, str):
        return expression
    compiler = dialect.ddl_compiler(dialect, None)
    return compiler.sql_compiler.process(expression, include_table=False, literal_binds=True)


def canonical(sql: str, dialect_name: str) -> str | None:
    """A comparison key for an SQL expression: its syntax tree, spelled one way.

    None when the parser cannot read it (the caller then compares the texts as they are, or
    asks the server).
    """
    if dialect_name == "postgresql":
        try:
            [statement] = pglast.parse_sql(f"SELECT {sql}")
        except (pglast.parser.ParseError, ValueError):
            return None
        return RawStream()(statement.stmt.targetList[0].val)
    read = _SQLGLOT.get(dialect_name, dialect_name)
    try:
        tree = sqlglot.parse_one(sql, read=read)
    except SqlglotError:
        return None
    if tree is None:
        return None
    bare = tree.transform(lambda node: node.this if isinstance(node, exp.Paren) else node)
    # MySQL hands conditions back with every column in backquotes; its column names ignore case
    return repr(bare.transform(_plain_identifiers if read == "mysql" else _lower_identifiers))


#: sqlglot's name of a dialect, where it is not SQLAlchemy's.
_SQLGLOT = {"mariadb": "mysql"}


def _lower_identifiers(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Identifier) and not node.quoted:
        return exp.Identifier(this=node.name.lower(), quoted=False)
    return node


def _plain_identifiers(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Identifier):
        return exp.Identifier(this=node.name.lower(), quoted=False)
    return node


def same(model_sql: str, database_sql: str, dialect_name: str) -> bool:
    """Whether two texts are one expression by their syntax trees (no database asked)."""
    left, right = canonical(model_sql, dialect_name), canonical(database_sql, dialect_name)
    if left is None or right is None:
        return " ".join(model_sql.split()) == " ".join(database_sql.split())
    return left == right


def deparsed_by_postgresql(connection: Connection, schema: str | None, table: str,
                           expressions: Sequence[str]) -> list[str | None]:
    """Each boolean expression as PostgreSQL stores it for ``table`` (None: it refused it).

    A temporary table ``LIKE`` the real one (its columns and types, nothing else) receives each
    expression as a ``NOT VALID`` check constraint; ``pg_get_expr`` reads them back; the
    savepoint is rolled back, so nothing stays and the real table is only read. Every statement
    names :data:`PROBE_TABLE`, so a reader of the statement log can tell the probes apart.
    """
    preparer = connection.dialect.identifier_preparer
    source = preparer.quote(table) if schema is None else (
        f"{preparer.quote_schema(schema)}.{preparer.quote(table)}")
    probe = f"pg_temp.{PROBE_TABLE}"
    answers: list[str | None] = []
    connection.exec_driver_sql(f"SAVEPOINT {PROBE_TABLE}")
    try:
        connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {PROBE_TABLE} (LIKE {source})")
        for index, expression in enumerate(expressions):
            name = f"{PROBE_TABLE}_{index}"
            connection.exec_driver_sql(f"SAVEPOINT {name}")
            try:
                connection.exec_driver_sql(
                    f"ALTER TABLE {probe} ADD CONSTRAINT {name} CHECK ({expression}) NOT VALID")
            except DBAPIError:
                connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name}")
                answers.append(None)
                continue
            answers.append(connection.execute(text(
                f"SELECT pg_get_expr(conbin, conrelid) FROM pg_constraint "
                f"WHERE conrelid = CAST(:probe AS regclass) AND conname = :name "
                f"/* {PROBE_TABLE} */"), {"probe": probe, "name": name}).scalar_one())
    finally:
        connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {PROBE_TABLE}")
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {PROBE_TABLE}")
    return answers


def differing(connection: Connection, schema: str | None, table: str,
              pairs: Sequence[tuple[str, str]]) -> list[bool]:
    """For each ``(model text, database text)`` of ``table``: whether they differ.

    Trees compared first; on PostgreSQL the model texts still differing are deparsed by the
    server (:func:`deparsed_by_postgresql`) and compared again, so PostgreSQL's own rewriting
    (casts, ``IN`` as ``= ANY``) is no change. The server's deparsing is not always a fixed
    point (re-reading its own ``ARRAY[...]::text[]`` it moves the cast into the array), and a
    downgrade re-creates a constraint from the text the database gave, so the deparsed text is
    deparsed again, up to :data:`DEPARSE_ROUNDS` times, while it keeps changing.
    """
    dialect_name = connection.dialect.name
    differs = [not same(model, database, dialect_name) for model, database in pairs]
    if dialect_name != "postgresql":
        return differs
    current = {index: pairs[index][0] for index, flag in enumerate(differs) if flag}
    for _ in range(DEPARSE_ROUNDS):
        if not current:
            break
        asked = list(current)
        deparsed = deparsed_by_postgresql(connection, schema, table,
                                          [current[index] for index in asked])
        for index, server_text in zip(asked, deparsed):
            if server_text is None or server_text == current[index]:
                del current[index]  # refused, or nothing more the server would rewrite
            elif same(server_text, pairs[index][1], dialect_name):
                differs[index] = False
                del current[index]
            else:
                current[index] = server_text
    return differs
