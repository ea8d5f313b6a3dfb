"""The SQL a revision emits, one classified statement at a time.

Offline rendering gives the exact text the target dialect would run, including what raw
``op.execute`` strings and ``connection.execute`` calls do, which the Python source cannot
show. Each statement is classified by its leading keywords (a statement-shape reader, not a
full SQL parser): its verb, the table it acts on, the object it names (index, column,
constraint, schema) and whether it is DDL or DML.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_IDENT = r'(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[\w$]+)'
_NAME = rf"{_IDENT}(?:\s*\.\s*{_IDENT})*"
_FLAGS = re.IGNORECASE | re.DOTALL

_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (verb, re.compile(pattern, _FLAGS)) for verb, pattern in (
        ("create index", rf"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?"
                         rf"(?:IF\s+NOT\s+EXISTS\s+)?(?:(?P<name>{_NAME})\s+)?ON\s+(?:ONLY\s+)?"
                         rf"(?P<table>{_NAME})"),
        ("drop index", rf"^DROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?"
                       rf"(?P<name>{_NAME})(?:\s+ON\s+(?P<table>{_NAME}))?"),
        ("create table", rf"^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?"
                         rf"TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<table>{_NAME})"),
        ("drop table", rf"^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?P<table>{_NAME})"),
        ("alter table", rf"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<table>{_NAME})"
                        r"\s*(?P<action>.*)$"),
        ("rename table", rf"^RENAME\s+TABLE\s+(?P<table>{_NAME})\s+TO\s+(?P<name>{_NAME})"),
        ("create schema", rf"^CREATE\s+SCHEMA\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>{_NAME})"),
        ("drop schema", rf"^DROP\s+SCHEMA\s+(?:IF\s+EXISTS\s+)?(?P<name>{_NAME})"),
        ("insert", rf"^(?:INSERT|REPLACE)\s+(?:IGNORE\s+)?INTO\s+(?P<table>{_NAME})"),
        ("update", rf"^UPDATE\s+(?:ONLY\s+)?(?P<table>{_NAME})"),
        ("delete", rf"^DELETE\s+FROM\s+(?:ONLY\s+)?(?P<table>{_NAME})"),
        ("truncate", rf"^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(?P<table>{_NAME})"),
        ("comment", rf"^COMMENT\s+ON\s+(?:TABLE|COLUMN)\s+(?P<table>{_NAME})"),
    )
)
#: The object an ``ALTER TABLE`` action names (column, constraint, new table name).
_ALTER_OBJECT = re.compile(
    rf"^(?:ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:CONSTRAINT\s+)?"
    rf"|DROP\s+(?:COLUMN\s+|CONSTRAINT\s+)?(?:IF\s+EXISTS\s+)?"
    rf"|ALTER\s+(?:COLUMN\s+)?|RENAME\s+(?:COLUMN\s+|CONSTRAINT\s+)?(?:TO\s+)?"
    rf"|MODIFY\s+(?:COLUMN\s+)?|CHANGE\s+(?:COLUMN\s+)?|VALIDATE\s+CONSTRAINT\s+)"
    rf"(?!(?:FOREIGN|UNIQUE|CHECK|PRIMARY|EXCLUDE|CONSTRAINT|COLUMN)\b)(?P<name>{_IDENT})",
    _FLAGS,
)
_DDL = {"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMENT", "GRANT", "REVOKE"}
_DML = {"INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "COPY"}
_DML_IN_CTE = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_TRANSACTION = {"BEGIN", "COMMIT", "ROLLBACK", "START", "SAVEPOINT", "RELEASE", "END"}


@dataclass(frozen=True)
class Statement:
    """One rendered statement and where in the revision it came from.

    ``origin`` is the Alembic operation implementation that emitted it (``add_column``,
    ``create_index``, ``batch`` for a ``batch_alter_table`` block, ``execute_sql`` for
    ``op.execute``), or None when the revision ran it on a connection itself.
    """

    sql: str
    line: int | None
    origin: str | None
    kind: str  # "ddl", "dml" or "other"
    verb: str  # see _SHAPES; "other" when the shape is not recognised
    table: str | None = None
    name: str | None = None
    action: str = ""

    @property
    def raw(self) -> bool:
        """Written by hand (``op.execute`` or a connection), not by an ``op`` directive."""
        return self.origin in (None, "execute_sql")

    def has(self, pattern: str) -> bool:
        """Whether the statement's text matches ``pattern`` (case-insensitive regex)."""
        return re.search(pattern, self.sql, _FLAGS) is not None

    def summary(self) -> str:
        """A few words: ``insert into invoice_statuses``, ``create table orders``."""
        if self.verb == "other" or not (self.table or self.name):
            return " ".join(self.sql.split()[:3])
        return f"{self.verb} {self.table or self.name}"

    def describe(self) -> str:
        """The statement shortened to one line, for messages."""
        text = " ".join(self.sql.split())
        return text if len(text) <= 80 else text[:77] + "..."


def classify(sql: str, line: int | None, origin: str | None) -> Statement | None:
    """The statement for ``sql`` (None for transaction control and empty text)."""
    text = _strip_comments(sql).strip().rstrip(";").strip()
    if not text:
        return None
    first = text.split(None, 1)[0].upper()
    if first in _TRANSACTION:
        return None
    kind = "ddl" if first in _DDL else "dml" if first in _DML else "other"
    if first == "WITH" and _DML_IN_CTE.search(text):
        kind = "dml"
    for verb, pattern in _SHAPES:
        match = pattern.match(text)
        if match:
            groups = match.groupdict()
            table = _name(groups.get("table"))
            name = _name(groups.get("name"))
            action = (groups.get("action") or "").strip()
            if verb == "alter table":
                found = _ALTER_OBJECT.match(action)
                name = _name(found.group("name")) if found else None
            elif verb == "comment" and text.upper().split()[2] == "COLUMN" and table:
                table, _, name = table.rpartition(".")
            return Statement(text, line, origin, kind, verb, table, name, action)
    return Statement(text, line, origin, kind, "other")


def split(script: str) -> list[str]:
    """Split SQL text into statements on ``;``, respecting quotes, dollar quotes, comments."""
    statements: list[str] = []
    start = index = 0
    length = len(script)
    while index < length:
        char = script[index]
        if char in "'\"`":
            end = script.find(char, index + 1)
            while end != -1 and end + 1 < length and script[end + 1] == char:
                end = script.find(char, end + 2)
            index = length if end == -1 else end + 1
        elif char == "$":
            tag = re.match(r"\$[A-Za-z_0-9]*\$", script[index:])
            if tag:
                end = script.find(tag.group(), index + len(tag.group()))
                index = length if end == -1 else end + len(tag.group())
            else:
                index += 1
        elif script.startswith("--", index):
            end = script.find("\n", index)
            index = length if end == -1 else end + 1
        elif script.startswith("/*", index):
            end = script.find("*/", index + 2)
            index = length if end == -1 else end + 2
        elif char == ";":
            statements.append(script[start:index])
            index += 1
            start = index
        else:
            index += 1
    statements.append(script[start:])
    return [s.strip() for s in statements if s.strip()]


def _strip_comments(sql: str) -> str:
    """Leading ``--`` and ``/* */`` comments only: the verb follows them."""
    text = sql.lstrip()
    while text.startswith(("--", "/*")):
        if text.startswith("--"):
            end = text.find("\n")
            text = "" if end == -1 else text[end + 1:].lstrip()
        else:
            end = text.find("*/")
            text = "" if end == -1 else text[end + 2:].lstrip()
    return text


def _name(text: str | None) -> str | None:
    """``"public"."Orders"`` -> ``public.Orders``: quotes removed, parts joined by dots."""
    if not text:
        return None
    parts = re.findall(_IDENT, text)
    return ".".join(_unquote(p) for p in parts) or None


def _unquote(part: str) -> str:
    if part[:1] == '"' and part[-1:] == '"':
        return part[1:-1].replace('""', '"')
    if part[:1] in "`[" and part[-1:] in "`]":
        return part[1:-1]
    return part
