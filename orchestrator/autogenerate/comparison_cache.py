"""Services found clean last time, not compared again while nothing they depend on changed.

Each table a service owns gets a fingerprint of both sides of the comparison: its model (the
DDL SQLAlchemy emits for it and its indexes on the database's dialect, every column's type as
``repr`` gives it, the comments) and its reflected snapshot (every ``get_multi_*`` record of
it). A service's key joins its tables' fingerprints with everything else its comparison
reads: the service's configuration (ini), the naming convention, the enum types of the
snapshot, the database's dialect and server version, and the code that compares (orchestrate's
own source, the versions of SQLAlchemy, Alembic and alembic-postgresql-enum).

A service whose comparison found nothing is stored under its key in
``.orchestrate/comparisons/<dialect>.json``; the next run skips it when its key is the same, so
any change to a column, a default, an index, a type, a constraint or a comment of either side
compares it again. What cannot be fingerprinted reliably is never skipped: a service with
extension points (``include_object``, comparator plugins, ...) and a table whose type or
record prints an object's address. Only clean results are kept: a service with changes is
always compared, so what it reports is always fresh.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from functools import cache
from importlib import metadata as package_metadata
from pathlib import Path

from sqlalchemy import MetaData, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from orchestrator.autogenerate.reflection import KINDS, Snapshot
from orchestrator.config.service import Service

FORMAT = 1
_PACKAGES = ("sqlalchemy", "alembic", "alembic-postgresql-enum")
_ADDRESS = " at 0x"  # an object's default repr: different in every process


class ComparisonCache:
    """The keys of the services found clean on one dialect, loaded and saved as one file."""

    def __init__(self, folder: Path, dialect: Dialect, server: str) -> None:
        self.path = folder / "comparisons" / f"{dialect.name}.json"
        self.dialect = dialect
        self.context = [str(FORMAT), dialect.name, server, *_code_versions()]
        self._clean: dict[str, str] = {}
        self._changed = False
        with contextlib.suppress(OSError, ValueError):
            stored = json.loads(self.path.read_text())
            if isinstance(stored, dict) and isinstance(stored.get("clean"), dict):
                self._clean = stored["clean"]

    def key(self, service: Service, metadata: MetaData, tables: Iterable[str],
            snapshot: Snapshot, extended: bool) -> str | None:
        """The fingerprint of everything ``service``'s comparison reads; None when it cannot
        be taken reliably (then the service is always compared)."""
        if extended:
            return None
        digest = hashlib.blake2b(digest_size=20)
        for part in (*self.context, service.name, _file_digest(service.ini_path),
                     repr(sorted(metadata.naming_convention.items(), key=repr)),
                     repr(snapshot.enums), repr(sorted(snapshot.unsupported))):
            digest.update(part.encode())
            digest.update(b"\0")
        for table in sorted(tables):
            model = metadata.tables.get(table)
            sides = (table, self._model(model) if model is not None else "-",
                     _reflected(snapshot, table))
            if any(_ADDRESS in side for side in sides):
                return None
            for side in sides:
                digest.update(side.encode())
                digest.update(b"\0")
        return digest.hexdigest()

    def is_clean(self, service: str, key: str | None) -> bool:
        return key is not None and self._clean.get(service) == key

    def record(self, service: str, key: str | None, clean: bool) -> None:
        """What a comparison found: a clean service is kept under its key, others forgotten."""
        before = self._clean.get(service)
        if clean and key is not None:
            self._clean[service] = key
        else:
            self._clean.pop(service, None)
        self._changed |= before != self._clean.get(service)

    def save(self) -> None:
        if not self._changed:
            return
        with contextlib.suppress(OSError):  # a read-only workspace: no cache, still correct
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "w") as out:
                json.dump({"clean": self._clean}, out, sort_keys=True)
            os.replace(temporary, self.path)
        self._changed = False

    def _model(self, table: Table) -> str:
        """The table as the database would be asked to create it, plus what DDL leaves out."""
        parts = [str(CreateTable(table).compile(dialect=self.dialect))]
        parts += sorted(str(CreateIndex(index).compile(dialect=self.dialect))
                        for index in table.indexes)
        parts += [repr(table.comment), repr(sorted(table.dialect_kwargs.items()))]
        parts += [f"{c.name} {c.type!r} {c.comment!r} {c.autoincrement!r}" for c in table.columns]
        return "\n".join(parts)


def _reflected(snapshot: Snapshot, table: str) -> str:
    if table not in snapshot.present:
        return "-"
    return repr([(kind, snapshot.records(kind, table)) for kind in KINDS])


def _file_digest(path: Path) -> str:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return "?"


@cache
def _code_versions() -> tuple[str, ...]:
    """The comparing code: orchestrate's own source and the libraries' versions."""
    code = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parents[1]
    for source in sorted(package.rglob("*.py")):
        code.update(source.read_bytes())
    found = [code.hexdigest()]
    for name in _PACKAGES:
        try:
            found.append(package_metadata.version(name))
        except package_metadata.PackageNotFoundError:
            found.append("?")
    return tuple(found)
