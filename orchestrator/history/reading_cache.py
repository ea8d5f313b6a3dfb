"""Readings of revisions kept on disk, by file content, so a second run reads nothing again.

One file per service and dialect under the workspace's ``.orchestrate/readings/``. It maps a
revision file's content hash to its identifiers (decoded at once: ``history``, ``heads`` and
``graph`` need only them) and to its whole reading (decoded when a consumer asks). The file
is only valid for the orchestrate, Alembic, SQLAlchemy and SQL-parser versions that wrote it.
A reading that failed for a reason outside the file (an import that may work tomorrow) is not
kept; one that stopped because it needs the live database is.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from dataclasses import astuple
from functools import cache
from importlib import metadata as package_metadata
from pathlib import Path

from orchestrator.history import operation_facts, reading, recording, sql
from orchestrator.history.reading import (
    EntityOperation,
    Metadata,
    RevisionReading,
    TableOperation,
)

#: Bump when what a reading holds changes.
READING_FORMAT = 2
_PACKAGES = ("orchestrate", "alembic", "sqlalchemy", "pglast", "sqlglot")
_READER_MODULES = (reading, recording, operation_facts, sql)


def content_key(source: bytes) -> str:
    return hashlib.blake2b(source, digest_size=16).hexdigest()


@cache
def _versions() -> tuple[str, ...]:
    """What a cached reading depends on besides the file: the versions of the packages that
    read it, and the code of the reader itself (so a development checkout never serves a
    reading made by older code)."""
    code = hashlib.blake2b(digest_size=8)
    for module in _READER_MODULES:
        code.update(Path(module.__file__).read_bytes())  # type: ignore[arg-type]
    found = [code.hexdigest()]
    for package in _PACKAGES:
        try:
            found.append(package_metadata.version(package))
        except package_metadata.PackageNotFoundError:
            found.append("?")
    return (str(READING_FORMAT), *found)


class ReadingCache:
    """The cached readings of one service's revisions for one dialect."""

    def __init__(self, folder: Path | None, service: str, dialect: str) -> None:
        self.path = folder / dialect / f"{service}.readings" if folder is not None else None
        self._entries: dict[str, tuple[tuple, tuple, bool, bytes, tuple]] = {}
        self._used: set[str] = set()
        self._changed = False
        self._load()

    def _load(self) -> None:
        if self.path is None or not self.path.is_file():
            return
        try:
            with self.path.open("rb") as handle:
                stored = pickle.load(handle)
        except Exception:  # a damaged or foreign file: read everything again
            return
        if isinstance(stored, dict) and stored.get("versions") == _versions():
            self._entries = stored.get("entries", {})

    def summary(self, key: str) -> tuple[Metadata, tuple[TableOperation, ...],
                                          tuple[EntityOperation, ...]] | None:
        """The identifiers, table and entity operations of the file with content ``key``, if
        cached."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._used.add(key)
        return Metadata(*entry[0]), entry[1], entry[4]

    def reading(self, key: str, rendered: bool, path: Path) -> RevisionReading | None:
        """The cached reading (rendered, when asked), at ``path`` where the file is now."""
        entry = self._entries.get(key)
        if entry is None or (rendered and not entry[2]):
            return None
        try:
            reading: RevisionReading = pickle.loads(entry[3])
        except Exception:
            return None
        reading.path = path
        return reading

    def put(self, key: str, reading: RevisionReading) -> None:
        if not _keepable(reading):
            return
        try:
            blob = pickle.dumps(reading.without_operations(), protocol=pickle.HIGHEST_PROTOCOL)
            meta = astuple(reading.metadata) if reading.metadata else None
            pickle.dumps(meta)
        except Exception:  # something in it does not pickle: read it again next time
            return
        if meta is None:
            return
        self._entries[key] = (meta, reading.table_operations(), reading.rendered, blob,
                              reading.entity_operations())
        self._used.add(key)
        self._changed = True

    def save(self) -> None:
        """Write the file when something was added (entries of files gone are dropped)."""
        if self.path is None or not self._changed:
            return
        entries = {key: value for key, value in self._entries.items() if key in self._used}
        with contextlib.suppress(OSError):  # a read-only workspace: no cache, still correct
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                pickle.dump({"versions": _versions(), "entries": entries}, out,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        self._changed = False


def _keepable(reading: RevisionReading) -> bool:
    """Readings whose outcome depends on the file alone."""
    if reading.failure is not None:
        return False
    return all(f.stop is None or f.stop.needs_database for f in reading.functions())
