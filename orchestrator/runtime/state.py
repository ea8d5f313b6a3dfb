"""What the database says: each service's applied heads and the tables that exist."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import column, inspect, literal, select, table, union_all
from sqlalchemy.engine import URL, Connection, Inspector
from sqlalchemy.exc import DBAPIError

from orchestrator.config.service import Service
from orchestrator.core.errors import DatabaseError, DatabaseMissing, LegacyVersionTable
from orchestrator.core.redaction import redact
from orchestrator.runtime.database import connect, sqlite_file_missing
from orchestrator.workspace.ownership import table_key

#: Table names that look like Alembic's version tables (a legacy one may be named otherwise:
#: ``[tool.orchestrate] legacy_version_table``).
_VERSION_TABLE_MARK = "alembic_version"
#: Where ``adopt`` keeps a legacy version table, renamed, until the user drops it.
ADOPTED_PREFIX = "orchestrate_adopted_"


@dataclass
class DatabaseState:
    """Applied heads per service (empty list: nothing applied) and the table names present."""

    heads: dict[str, list[str]] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)
    exists: bool = True
    #: Version tables of no service (plain Alembic's single ``alembic_version``, or another
    #: naming), with their rows: what ``adopt`` takes over.
    legacy: dict[str, list[str]] = field(default_factory=dict)

    def heads_of(self, service: str) -> list[str]:
        return self.heads.get(service, [])


def read_state_sync(connection: Connection, services: Iterable[Service],
                    legacy_name: str | None = None, *,
                    schemas: Iterable[str] = ()) -> DatabaseState:
    """Read every service's version table in one round trip (for use inside ``run_sync``);
    with ``legacy_name``, also the version tables of no service (``DatabaseState.legacy``).

    Tables are listed in the default schema and in ``schemas`` (those that exist), named as
    the ownership registry names them (``schema.table`` outside the default schema).
    """
    services, schemas = list(services), tuple(schemas)
    inspector = inspect(connection)
    tables = list_tables(inspector, schemas)
    present = set(tables)
    listed = {None, inspector.default_schema_name, *schemas}
    present |= {  # version tables in schemas not listed (a tenant's): asked one by one
        table_key(s.version_table, s.version_table_schema) for s in services
        if s.version_table_schema not in listed
        and inspector.has_table(s.version_table, schema=s.version_table_schema)}
    state = DatabaseState(heads={s.name: [] for s in services}, tables=sorted(tables))
    default_schema = [t for t in tables if "." not in t]  # legacy tables: the default only
    legacy = _legacy_tables(inspector, default_schema, {s.version_table for s in services},
                            legacy_name) if legacy_name else []
    # names are bound parameters and tables quoted identifiers: nothing of the workspace's
    # configuration is ever spliced into SQL text
    selects = [
        select(literal("service").label("kind"), literal(s.name).label("name"),
               table(s.version_table, column("version_num"),
                     schema=s.version_table_schema).c.version_num)
        for s in services if table_key(s.version_table, s.version_table_schema) in present
    ] + [
        select(literal("legacy").label("kind"), literal(name).label("name"),
               table(name, column("version_num")).c.version_num)
        for name in legacy
    ]
    state.legacy = {name: [] for name in legacy}
    if selects:
        for kind, name, version in connection.execute(union_all(*selects)).all():
            (state.heads if kind == "service" else state.legacy)[name].append(version)
        for heads in (*state.heads.values(), *state.legacy.values()):
            heads.sort()
    return state


def list_tables(inspector: Inspector, schemas: Iterable[str] = ()) -> list[str]:
    """The tables of the default schema and of those of ``schemas`` that exist, as registry
    keys (``schema.table`` outside the default schema)."""
    tables = list(inspector.get_table_names())
    wanted = set(schemas) - {inspector.default_schema_name}
    if wanted:
        for schema in sorted(wanted.intersection(inspector.get_schema_names())):
            tables += [table_key(name, schema) for name in inspector.get_table_names(schema)]
    return tables


def _legacy_tables(inspector: Inspector, tables: list[str], version_tables: set[str],
                   legacy_name: str) -> list[str]:
    """Tables shaped as Alembic's version table (one ``version_num`` column) that no service
    uses: ``legacy_name``, or any ``*alembic_version*`` (another naming of per-service
    tables); never one ``adopt`` already renamed."""
    candidates = [t for t in tables if t not in version_tables
                  and not t.startswith(ADOPTED_PREFIX)
                  and (t == legacy_name or _VERSION_TABLE_MARK in t)]
    return sorted(t for t in candidates
                  if [c["name"] for c in inspector.get_columns(t)] == ["version_num"])


def refuse_legacy(state: DatabaseState) -> None:
    """Applying anything while a legacy version table is there would create its tables twice."""
    if state.legacy:
        raise LegacyVersionTable(
            f"nothing was applied: the database holds {', '.join(state.legacy)}, a version "
            "table of no service (plain Alembic's); its tables would be created twice. Take "
            "it over first: `orchestrate adopt --dry-run`, then `orchestrate adopt`")


async def read_state(url: URL, services: Iterable[Service], legacy_name: str | None = None,
                     *, schemas: Iterable[str] = ()) -> DatabaseState:
    """The database's state; a database that does not exist yet reads as empty.

    "Does not exist" is only what the driver's error code says (``DatabaseMissing``) or, on
    SQLite, a file that is not there (never created by reading); a wrong role, password or
    host is a :class:`DatabaseError` (exit 3).
    """
    services = list(services)
    if sqlite_file_missing(url):
        return DatabaseState(heads={s.name: [] for s in services}, exists=False)
    try:
        async with connect(url) as connection:
            return await connection.run_sync(read_state_sync, services, legacy_name,
                                             schemas=schemas)
    except DatabaseMissing:
        return DatabaseState(heads={s.name: [] for s in services}, exists=False)
    except DBAPIError as error:
        raise DatabaseError(f"reading {redact(url)} failed: {error.orig}") from None
