"""Services found clean last time, not compared again while nothing they depend on changed.

Each table a service owns gets a fingerprint of both sides of the comparison: its model (the
DDL SQLAlchemy emits for it and its indexes on the database's dialect, every column's type as
``repr`` gives it, the comments) and its reflected snapshot (every ``get_multi_*`` record of
it). A service's key joins its tables' fingerprints with everything else its comparison
reads: the service's configuration (ini), the naming convention, the enum types of the
snapshot, the database's dialect and server version, and the code that compares (orchestrate's
own source, the versions of SQLAlchemy, Alembic and alembic-postgresql-enum).

The model side is fingerprinted once per content of the files it is built from: the files of
the modules of the service's models package and of every other module imported from the
workspace (shared types, naming conventions), with the listing of the models folder and the
tables the service owns; while those are the same, the stored model fingerprint is used
without compiling the DDL again.

A service whose comparison found nothing is stored under its key in
``.orchestrate/comparisons/<dialect>.json``; the next run skips it when its key is the same, so
any change to a column, a default, an index, a type, a constraint or a comment of either side
compares it again. What cannot be fingerprinted reliably is never skipped: a service with
extension points (``include_object``, comparator plugins, ...), a service with alembic_utils
entities (views, functions, ...: their database side is not in the snapshot) and a table whose
type or record prints an object's address. Only clean results are kept: a service with changes is
always compared, so what it reports is always fresh.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from functools import cache
from importlib import metadata as package_metadata
from pathlib import Path

from sqlalchemy import Index, MetaData, Table
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
        self._models: dict[str, list[str]] = {}  # service -> [files key, model fingerprint]
        self._changed = False
        with contextlib.suppress(OSError, ValueError):
            stored = json.loads(self.path.read_text())
            if isinstance(stored, dict) and isinstance(stored.get("clean"), dict):
                self._clean = stored["clean"]
                self._models = stored.get("models") or {}

    def key(self, service: Service, metadata: MetaData, tables: Iterable[str],
            snapshot: Snapshot, extended: bool, sources: ModelSources) -> str | None:
        """The fingerprint of everything ``service``'s comparison reads; None when it cannot
        be taken reliably (then the service is always compared)."""
        if extended:
            return None
        owned = sorted(tables)
        model = self._model_fingerprint(service.name, metadata, owned, sources)
        if model is None:
            return None
        digest = hashlib.blake2b(digest_size=20)
        parts = [*self.context, service.name, _file_digest(service.ini_path), model,
                 repr(sorted(metadata.naming_convention.items(), key=repr)),
                 repr(snapshot.enums), repr(sorted(snapshot.unsupported))]
        parts += [f"{table}\0{_reflected(snapshot, table)}" for table in owned]
        if any(_ADDRESS in part for part in parts):
            return None
        for part in parts:
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def _model_fingerprint(self, service: str, metadata: MetaData, owned: list[str],
                           sources: ModelSources) -> str | None:
        """The owned tables' models, fingerprinted; reused while their files are the same."""
        files = sources.key(service, owned)
        stored = self._models.get(service)
        if files is not None and stored and stored[0] == files:
            return stored[1]
        digest = hashlib.blake2b(digest_size=20)
        for table in owned:
            model = metadata.tables.get(table)
            text = self._model(model) if model is not None else "-"
            if _ADDRESS in text:
                return None
            digest.update(f"{table}\0{text}\0".encode())
        fingerprint = digest.hexdigest()
        if files is not None:
            self._models[service] = [files, fingerprint]
            self._changed = True
        return fingerprint

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
                json.dump({"clean": self._clean, "models": self._models}, out, sort_keys=True)
            os.replace(temporary, self.path)
        self._changed = False

    def _index(self, index: Index) -> str:
        """Its DDL; an index left unnamed (a naming convention without ``ix``) has none."""
        if index.name is None:
            return (f"unnamed index {[str(e) for e in index.expressions]} unique={index.unique}"
                    f" {sorted(index.dialect_kwargs.items())!r}")
        return str(CreateIndex(index).compile(dialect=self.dialect))

    def _model(self, table: Table) -> str:
        """The table as the database would be asked to create it, plus what DDL leaves out."""
        parts = [str(CreateTable(table).compile(dialect=self.dialect))]
        parts += sorted(self._index(index) for index in table.indexes)
        parts += [repr(table.comment), repr(sorted(table.dialect_kwargs.items()))]
        parts += [f"{c.name} {c.type!r} {c.comment!r} {c.autoincrement!r}" for c in table.columns]
        return "\n".join(parts)


class ModelSources:
    """The files the models were imported from: each service's own (its models package) and
    the workspace's shared ones (every other module imported from under the root)."""

    def __init__(self, root: Path, packages: dict[str, str]) -> None:
        self._own: dict[str, list[tuple[str, str]]] = {name: [] for name in packages}
        shared: list[tuple[str, str]] = []
        root_text = f"{root.as_posix().rstrip('/')}/"
        tops = {package.partition(".")[0]: True for package in packages.values()}
        for module_name, module in list(sys.modules.items()):
            filename = getattr(module, "__file__", None)
            if not filename or not filename.endswith(".py"):
                continue
            owner = tops.get(module_name.partition(".")[0]) and next(
                (name for name, package in packages.items()
                 if module_name == package or module_name.startswith(f"{package}.")), None)
            if owner is None and not filename.startswith(root_text):
                continue
            path = Path(filename)
            entry = (path.as_posix(), _file_digest(path))
            (self._own[owner] if owner is not None else shared).append(entry)
        self._shared = sorted(shared)

    def key(self, service: str, owned: list[str]) -> str | None:
        """The service's model files (every submodule: the model loader imports them all),
        the shared files and the tables it owns; None when its models were not imported
        from files."""
        own = sorted(self._own.get(service, []))
        if not own:
            return None
        digest = hashlib.blake2b(repr((own, self._shared, owned)).encode(), digest_size=20)
        return digest.hexdigest()


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
