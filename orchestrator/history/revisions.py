"""One service's Alembic history: its revisions, their order and heads.

Every revision file is read once by :mod:`orchestrator.history.recording` (the module
imported as Alembic's ``ScriptDirectory`` imports it, its functions run offline and recorded)
and the reading is cached by file content (:mod:`orchestrator.history.reading_cache`): the
identifiers, message and date come from the module as Alembic sees them, and what each
revision does is there for every consumer (ownership, drift, merge, lint, ``history``).
"""
from __future__ import annotations

import contextlib
import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import networkx as nx
from alembic.script import ScriptDirectory
from alembic.util import CommandError, coerce_resource_to_filename

from orchestrator.config.service import Service
from orchestrator.core.errors import ConfigError, RevisionError
from orchestrator.history.reading import (
    EntityOperation,
    Metadata,
    RevisionReading,
    TableOperation,
)
from orchestrator.history.reading_cache import ReadingCache, content_key
from orchestrator.history.recording import RevisionReader

#: The dialect revisions are read for when the caller names none: the production target.
DEFAULT_DIALECT = "postgresql"
#: What a revision id may hold: Alembic writes 12 hex digits; hand-chosen ids (``--rev-id``)
#: use letters, digits, ``_`` and ``.``. Anything else (a quote, ``;``, a space) would reach the
#: version table's SQL, and Alembic itself refuses ``@ - + :``.
_REVISION_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.]*$")
#: The width of Alembic's ``version_num`` column: a longer id fails on PostgreSQL and MySQL.
VERSION_NUM_WIDTH = 32


@dataclass(frozen=True)
class Requirement:
    """``"users:3f2a9c1b0d4e"`` in a revision's ``requires``."""

    service: str
    revision: str

    def __str__(self) -> str:
        return f"{self.service}:{self.revision}"


@dataclass(frozen=True)
class Revision:
    service: str
    revision: str
    down_revisions: tuple[str, ...]
    depends_on: tuple[str, ...]
    requires: tuple[Requirement, ...]
    message: str
    create_date: str | None
    path: Path
    #: The file's content hash: the key of its reading.
    key: str = field(default="", compare=False)

    @property
    def is_merge(self) -> bool:
        return len(self.down_revisions) > 1

    @property
    def node(self) -> tuple[str, str]:
        return (self.service, self.revision)


@dataclass
class ServiceHistory:
    """The revisions of one service, their order and heads, and what each does."""

    service: Service
    revisions: dict[str, Revision] = field(default_factory=dict)
    dialect: str = DEFAULT_DIALECT
    cache: ReadingCache | None = field(default=None, repr=False)
    _readings: dict[str, RevisionReading] = field(default_factory=dict, repr=False)
    _table_ops: dict[str, tuple[TableOperation, ...]] = field(default_factory=dict, repr=False)
    _entity_ops: dict[str, tuple[EntityOperation, ...]] = field(default_factory=dict,
                                                                 repr=False)
    _reader: RevisionReader | None = field(default=None, repr=False)

    @classmethod
    def read(cls, service: Service, dialect: str = DEFAULT_DIALECT,
             cache_dir: Path | None = None) -> ServiceHistory:
        """Read every revision file of ``service`` (cached readings under ``cache_dir``)."""
        history = cls(service, dialect=dialect,
                      cache=ReadingCache(cache_dir, service.name, dialect))
        fresh: list[tuple[Path, bytes, str]] = []
        for path in revision_files(service):
            try:
                source = path.read_bytes()
            except OSError as error:
                raise RevisionError(f"{path}: cannot be read: {error}") from None
            key = content_key(source)
            summary = history.cache.summary(key)  # type: ignore[union-attr]
            if summary is None:
                fresh.append((path, source, key))
            else:
                history._add(path, key, summary[0])
                history._table_ops[key] = summary[1]
                history._entity_ops[key] = summary[2]
        if fresh:
            with history._reading() as reader:
                for path, source, key in fresh:
                    reading = reader.read(path, source=source)
                    history._readings[key] = reading
                    history.cache.put(key, reading)  # type: ignore[union-attr]
                    if reading.metadata is not None:
                        history._add(path, key, reading.metadata)
                    elif reading.failure is not None:  # not even its identifiers: say where
                        raise RevisionError(f"{path}:{reading.failure.line}: "
                                            f"{reading.failure.message}")
            history.cache.save()  # type: ignore[union-attr]
        history._check_links()
        return history

    def _add(self, path: Path, key: str, metadata: Metadata) -> None:
        revision = revision_of(self.service.name, path, metadata, key)
        if revision.revision in self.revisions:
            other = self.revisions[revision.revision].path
            raise RevisionError(
                f"service {self.name!r}: revision {revision.revision} is defined twice, "
                f"in {other} and in {path}"
            )
        self.revisions[revision.revision] = revision

    @contextlib.contextmanager
    def _reading(self) -> Iterator[RevisionReader]:
        if self._reader is None:
            self._reader = RevisionReader(self.dialect, self.service.alembic_config())
        with self._reader.session() as reader:
            yield reader

    def reading(self, rev: str, rendered: bool = False) -> RevisionReading:
        """What revision ``rev`` does (its SQL rendered for every operation, if asked)."""
        return self.readings([rev], rendered)[rev]

    def readings(self, revs: list[str] | None = None, rendered: bool = False
                 ) -> dict[str, RevisionReading]:
        """The readings of ``revs`` (default: all, in history order), read once each."""
        wanted = list(self.order if revs is None else revs)
        found: dict[str, RevisionReading] = {}
        missing: list[Revision] = []
        for rev in wanted:
            revision = self.revisions[rev]
            reading = self._readings.get(revision.key)
            if reading is None or (rendered and not reading.rendered):
                reading = self.cache.reading(revision.key, rendered, revision.path) if (
                    self.cache is not None) else None
            if reading is None or (rendered and not reading.rendered):
                missing.append(revision)
            else:
                self._readings[revision.key] = found[rev] = reading
        if missing:
            with self._reading() as reader:
                for revision in missing:
                    reading = reader.read(revision.path, render=rendered)
                    self._readings[revision.key] = found[revision.revision] = reading
                    if self.cache is not None:
                        self.cache.put(revision.key, reading)
            if self.cache is not None:
                self.cache.save()
        return {rev: found[rev] for rev in wanted}

    def _check_links(self) -> None:
        for rev in self.revisions.values():
            for parent in (*rev.down_revisions, *rev.depends_on):
                if parent not in self.revisions:
                    raise RevisionError(
                        f"{rev.path}: service {self.name!r}: revision {rev.revision} names "
                        f"{parent!r}, which is not a revision of this service"
                    )
        if not nx.is_directed_acyclic_graph(self.graph):
            cycle = " -> ".join(r for r, _ in nx.find_cycle(self.graph))
            raise RevisionError(f"service {self.name!r}: its revisions form a cycle: {cycle}")

    @property
    def name(self) -> str:
        return self.service.name

    @cached_property
    def graph(self) -> nx.DiGraph:
        """Edges parent -> child (``down_revision`` and same-service ``depends_on``)."""
        graph = nx.DiGraph()
        graph.add_nodes_from(self.revisions)
        for rev in self.revisions.values():
            for parent in (*rev.down_revisions, *rev.depends_on):
                graph.add_edge(parent, rev.revision)
        return graph

    @cached_property
    def order(self) -> list[str]:
        """Every revision, base first; ties broken by revision id so the order is stable."""
        return list(nx.lexicographical_topological_sort(self.graph))

    @cached_property
    def position(self) -> dict[str, int]:
        return {rev: index for index, rev in enumerate(self.order)}

    @cached_property
    def heads(self) -> list[str]:
        """Revisions no other revision builds on (``down_revision``), in history order."""
        parents = {p for rev in self.revisions.values() for p in rev.down_revisions}
        return [rev for rev in self.order if rev not in parents]

    def resolve(self, ref: str) -> str | None:
        """A full revision id from ``head``, ``base``, a full id or an unambiguous prefix."""
        if ref == "base":
            return None
        if ref == "head":
            if len(self.heads) != 1:
                raise RevisionError(
                    f"service {self.name!r} has {len(self.heads)} heads "
                    f"({', '.join(self.heads) or 'none'}); name one, or merge them with "
                    f"`orchestrate merge {self.name}`"
                )
            return self.heads[0]
        if ref in self.revisions:
            return ref
        matches = [rev for rev in self.revisions if rev.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise RevisionError(f"service {self.name!r} has no revision {ref!r}"
                                + self.did_you_mean(ref))
        raise RevisionError(
            f"service {self.name!r}: revision prefix {ref!r} is ambiguous: {', '.join(matches)}"
        )

    def did_you_mean(self, ref: str) -> str:
        """``"\ndid you mean: b7e3d90f1c56?"`` for a mistyped revision (or prefix); else ``""``.

        A prefix is compared with the same number of leading characters of each revision.
        """
        full: dict[str, list[str]] = {}
        for rev in self.revisions:
            full.setdefault(rev[:len(ref)], []).append(rev)
        close = difflib.get_close_matches(ref, list(full), n=3, cutoff=0.6)
        revisions = [rev for prefix in close for rev in full[prefix]][:3]
        return f"\ndid you mean: {' or '.join(revisions)}?" if revisions else ""

    @cached_property
    def children(self) -> dict[str, list[str]]:
        """Per revision (``""``: base), the revisions built on it by ``down_revision``."""
        found: dict[str, list[str]] = {rev: [] for rev in ("", *self.order)}
        for rev in self.order:
            for parent in self.revisions[rev].down_revisions or ("",):
                found[parent].append(rev)
        return found

    def walk(self, start: str | None, steps: int, label: str) -> str | None:
        """The revision ``steps`` revisions after ``start`` (None: base), or before it when
        negative, as Alembic's ``+N``/``-N``; a branch point or merge on the way is ambiguous,
        going past head or base is an error (``label`` names the target in messages)."""
        current = start
        for done in range(abs(steps)):
            if steps > 0:
                options = self.children[current or ""]
            else:
                options = list(self.revisions[current].down_revisions) if current else []
                if current and not options:
                    options = [""]
            if len(options) != 1:
                where = current or "base"
                if not options:
                    raise RevisionError(
                        f"service {self.name!r}: {label} goes {abs(steps)} revision(s) "
                        f"{'past' if steps > 0 else 'before'} {where}, where the history "
                        f"{'ends' if steps > 0 else 'starts'}: only {done} step(s) possible")
                raise RevisionError(
                    f"service {self.name!r}: {label} is ambiguous: {where} "
                    f"{'branches into' if steps > 0 else 'merges'} {', '.join(options)}; "
                    "name the revision instead")
            current = options[0] or None
        return current

    def applied(self, db_heads: list[str]) -> set[str]:
        """Every revision applied when the version table holds ``db_heads``."""
        done: set[str] = set()
        for head in db_heads:
            if head not in self.revisions:
                raise RevisionError(
                    f"service {self.name!r}: the database is at revision {head}, which is not "
                    f"in {self.service.versions_dir} (a revision file is missing, or the "
                    "database belongs to another branch of the code)"
                )
            done.add(head)
            done |= nx.ancestors(self.graph, head)
        return done

    def needed_for(self, target: str | None) -> set[str]:
        """The target and everything it stands on."""
        if target is None:
            return set()
        return {target} | nx.ancestors(self.graph, target)

    def script_directory(self) -> ScriptDirectory:
        """Alembic's own view of the history, used to run revisions."""
        return ScriptDirectory.from_config(self.service.alembic_config())

    def table_claims(self, applied: set[str] | None = None) -> list[str]:
        """Tables this service's migrations created and did not drop or rename away since
        (only counting the ``applied`` revisions, when given)."""
        tables: dict[str, None] = {}
        for rev in self.order if applied is None else [r for r in self.order if r in applied]:
            for kind, name, new_name in self.table_operations(rev):
                if kind == "create_table":
                    tables[name] = None
                elif kind == "drop_table":
                    tables.pop(name, None)
                elif new_name:
                    tables.pop(name, None)
                    tables[new_name] = None
        return list(tables)

    def entity_claims(self) -> list[str]:
        """alembic_utils entities and sequences (by identity) this service's migrations
        created and did not drop since."""
        entities: dict[str, None] = {}
        for rev in self.order:
            key = self.revisions[rev].key
            found = self._entity_ops.get(key)
            if found is None:
                found = self._entity_ops[key] = self.reading(rev).entity_operations()
            for kind, identity in found:
                if kind.startswith("drop_"):
                    entities.pop(identity, None)
                else:
                    entities[identity] = None
        return list(entities)

    def table_operations(self, rev: str) -> tuple[TableOperation, ...]:
        """The tables revision ``rev`` creates, drops and renames, in order (cached with the
        identifiers: no reading is decoded)."""
        key = self.revisions[rev].key
        found = self._table_ops.get(key)
        if found is None:
            found = self._table_ops[key] = self.reading(rev).table_operations()
        return found



def revision_files(service: Service) -> list[Path]:
    """The revision files of ``service``, where Alembic looks for them: its version
    locations (or ``versions/``), sub-folders too with ``recursive_version_locations``."""
    config = service.alembic_config()
    try:
        locations = config.get_version_locations_list()
        recursive = config.get_alembic_boolean_option("recursive_version_locations")
    except CommandError as error:
        raise ConfigError(f"{service.ini_path}: {error}") from None
    folders = [Path(coerce_resource_to_filename(location)) for location in locations or ()]
    if not folders:
        folders = [service.versions_dir]
    files: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            raise ConfigError(
                f"{service.ini_path}: service {service.name!r} has no versions folder {folder}"
            )
        if not os.access(folder, os.R_OK | os.X_OK):
            raise ConfigError(
                f"{service.ini_path}: service {service.name!r}: its versions folder {folder} "
                "cannot be read (permissions); its revisions would look absent"
            )
        found = folder.rglob("*.py") if recursive else folder.glob("*.py")
        files += [p for p in found if not p.name.startswith(("__", ".#"))]
    return sorted(files)


def read_revision_file(service: str, path: Path, dialect: str = DEFAULT_DIALECT
                       ) -> Revision | None:
    """Read one revision file (no cache); None for a file that is no revision."""
    reader = RevisionReader(dialect)
    with reader.session():
        reading = reader.read(path)
    if reading.metadata is None:
        if reading.failure is not None:
            raise RevisionError(f"{path}:{reading.failure.line}: {reading.failure.message}")
        return None
    return revision_of(service, path, reading.metadata)


def revision_of(service: str, path: Path, metadata: Metadata, key: str = "") -> Revision:
    """The revision a file's identifiers describe."""
    revision = metadata.revision
    if not isinstance(revision, str) or not revision:
        raise RevisionError(f"{path}: `revision` must be a non-empty string, got {revision!r}")
    check_revision_id(path, revision)
    return Revision(
        service=service,
        revision=revision,
        down_revisions=_ids(path, "down_revision", metadata.down_revision),
        depends_on=_ids(path, "depends_on", metadata.depends_on),
        requires=_requirements(path, metadata.requires),
        message=metadata.message,
        create_date=metadata.create_date,
        path=path,
        key=key,
    )


def check_revision_id(path: Path, revision: str) -> None:
    """Refuse an id that could not be stored, or would be spliced into SQL (exit 2)."""
    if not _REVISION_ID.match(revision):
        raise RevisionError(
            f"{path}: revision id {revision!r} is not allowed: use letters, digits, '_' and "
            "'.' only (Alembic writes 12 hex digits)"
        )
    if len(revision) > VERSION_NUM_WIDTH:
        raise RevisionError(
            f"{path}: revision id {revision!r} has {len(revision)} characters; the version "
            f"table's version_num column holds {VERSION_NUM_WIDTH}"
        )


def _ids(path: Path, key: str, value: object) -> tuple[str, ...]:
    if value is None or value == ():
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise RevisionError(f"{path}: `{key}` must be a string, a list of strings or None")


def _requirements(path: Path, value: object) -> tuple[Requirement, ...]:
    found: list[Requirement] = []
    for item in _ids(path, "requires", value):
        service, sep, revision = item.partition(":")
        if not sep or not service or not revision:
            raise RevisionError(
                f"{path}: `requires` entry {item!r} must read \"<service>:<revision>\""
            )
        found.append(Requirement(service.strip(), revision.strip()))
    return tuple(found)
