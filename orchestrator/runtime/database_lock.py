"""The migration lock of a database, by its backend (see ``lock`` for what it guarantees)."""
from __future__ import annotations

from sqlalchemy.engine import URL

from orchestrator.core.errors import ConfigError
from orchestrator.core.redaction import redact
from orchestrator.runtime.lock import MigrationLock
from orchestrator.runtime.mysql_lock import MySQLMigrationLock
from orchestrator.runtime.postgres_lock import PostgresMigrationLock
from orchestrator.runtime.sqlite_lock import SqliteMigrationLock

_LOCKS: dict[str, type[MigrationLock]] = {
    "postgresql": PostgresMigrationLock,
    "sqlite": SqliteMigrationLock,
    "mysql": MySQLMigrationLock,
    "mariadb": MySQLMigrationLock,
}


def migration_lock(url: URL) -> MigrationLock:
    """The lock of the database at ``url``; a backend without one is refused (exit 2)."""
    lock = _LOCKS.get(url.get_backend_name())
    if lock is None:
        raise ConfigError(
            f"applying migrations supports PostgreSQL, SQLite, MySQL and MariaDB, not "
            f"{redact(url)}")
    return lock(url)
