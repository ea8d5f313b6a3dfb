"""The SQL reader: statements split safely and read by the dialect's parser."""
from __future__ import annotations

import pytest

from orchestrator.history.sql import classify, split

#: The cases written in MySQL's syntax are read with MySQL's parser; the rest as PostgreSQL.
MYSQL = {"ALTER TABLE `t` MODIFY c VARCHAR(40) NULL", "DROP INDEX ix ON t", "RENAME TABLE a TO b"}


def test_split_respects_quotes_dollar_quotes_and_comments():
    script = ("INSERT INTO t VALUES ('a;b', \"c;d\");\n"
              "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n"
              "-- a comment; still a comment\n"
              "UPDATE t SET x = 'it''s; fine' /* ; */ WHERE y = 1;\n"
              "DROP TABLE t")
    assert split(script) == [
        "INSERT INTO t VALUES ('a;b', \"c;d\")",
        "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
        "-- a comment; still a comment\nUPDATE t SET x = 'it''s; fine' /* ; */ WHERE y = 1",
        "DROP TABLE t",
    ]


@pytest.mark.parametrize("sql, kind, verb, table, name", [
    ('ALTER TABLE "Public"."Orders" ADD CONSTRAINT fk_x FOREIGN KEY(a) REFERENCES u (id)',
     "ddl", "alter table", "Public.Orders", "fk_x"),
    ("ALTER TABLE t ADD FOREIGN KEY(a) REFERENCES u (id)", "ddl", "alter table", "t", None),
    ("ALTER TABLE `t` MODIFY c VARCHAR(40) NULL", "ddl", "alter table", "t", "c"),
    ("ALTER TABLE t RENAME COLUMN a TO b", "ddl", "alter table", "t", "a"),
    ("ALTER TABLE t RENAME TO u", "ddl", "alter table", "t", "u"),
    ("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON ONLY s.t (a)",
     "ddl", "create index", "s.t", "ix"),
    ("DROP INDEX ix ON t", "ddl", "drop index", "t", "ix"),
    ("DROP INDEX CONCURRENTLY IF EXISTS ix", "ddl", "drop index", None, "ix"),
    ("CREATE UNLOGGED TABLE IF NOT EXISTS t (id int)", "ddl", "create table", "t", None),
    ("RENAME TABLE a TO b", "ddl", "rename table", "a", "b"),
    ("DROP SCHEMA IF EXISTS reporting CASCADE", "ddl", "drop schema", None, "reporting"),
    ("COMMENT ON COLUMN s.t.c IS 'x'", "ddl", "comment", "s.t", "c"),
    ("TRUNCATE TABLE ONLY t", "ddl", "truncate", "t", None),
    ("WITH old AS (SELECT id FROM t) DELETE FROM t USING old", "dml", "other", None, None),
    ("DELETE FROM ONLY t WHERE a = 1", "dml", "delete", "t", None),
    ("INSERT INTO t (a) VALUES (1)", "dml", "insert", "t", None),
    ("-- leading comment\nUPDATE t SET a = 1", "dml", "update", "t", None),
    ("CREATE EXTENSION IF NOT EXISTS pg_trgm", "ddl", "other", None, None),
    ("SELECT 1", "other", "other", None, None),
])
def test_classify_reads_verb_table_and_object(sql, kind, verb, table, name):
    statement = classify(sql, 3, None, "mysql" if sql in MYSQL else "postgresql")
    assert (statement.kind, statement.verb, statement.table, statement.name) == (
        kind, verb, table, name)
    assert statement.line == 3 and statement.raw


def test_transaction_control_and_empty_text_are_not_statements():
    assert classify("BEGIN;", 1, None) is None
    assert classify("COMMIT", 1, None) is None
    assert classify("  -- only a comment", 1, None) is None
    assert not classify("ALTER TABLE t ADD COLUMN c int", 1, "add_column").raw
