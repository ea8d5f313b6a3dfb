"""One service's Alembic history, read fast from the revision files' text.

Alembic's ``ScriptDirectory`` executes every revision module to learn its identifiers; for a
monorepo with thousands of revisions that dominates start-up. The identifiers are plain
literals in practice, so they are read from the source here (falling back to Alembic's own
loader when one is not a literal), and Alembic is only asked to run the revisions it applies.
"""
from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import networkx as nx
from alembic.script import ScriptDirectory
from alembic.util import load_python_file

from orchestrator.config.service import Service
from orchestrator.core.errors import ConfigError, RevisionError

_ASSIGNMENT = re.compile(
    r"^(revision|down_revision|branch_labels|depends_on|requires)\s*(?::[^=\n]*)?=[ \t]*(.*)$",
    re.MULTILINE,
)
_DOCSTRING = re.compile(r'^\s*(?:[rRuU]?)("""|\'\'\')(.*?)\1', re.DOTALL)
#: What a revision id may hold: Alembic writes 12 hex digits; hand-chosen ids (``--rev-id``)
#: use letters, digits, ``_`` and ``.``. Anything else (a quote, ``;``, a space) would reach the
#: version table's SQL, and Alembic itself refuses ``@ - + :``.
_REVISION_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.]*$")
#: The width of Alembic's ``version_num`` column: a longer id fails on PostgreSQL and MySQL.
VERSION_NUM_WIDTH = 32
_CREATE_DATE = re.compile(r"^Create Date:\s*(.+)$", re.MULTILINE)
_UPGRADE = re.compile(r"^def upgrade\b.*$", re.MULTILINE)
_NEXT_TOP_LEVEL = re.compile(r"^[^\s#]", re.MULTILINE)
_TABLE_OPS = re.compile(
    r"\b(create_table|drop_table|rename_table)\(\s*(?:table_name\s*=\s*|old_table_name\s*=\s*)?"
    r"[\"']([^\"']+)[\"'](?:\s*,\s*(?:new_table_name\s*=\s*)?[\"']([^\"']+)[\"'])?"
)


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
    #: ``(directive, table, new name)`` of each create/drop/rename_table in ``upgrade()``.
    table_ops: tuple[tuple[str, str, str], ...] = ()

    @property
    def is_merge(self) -> bool:
        return len(self.down_revisions) > 1

    @property
    def node(self) -> tuple[str, str]:
        return (self.service, self.revision)


@dataclass
class ServiceHistory:
    """The revisions of one service, their order and heads."""

    service: Service
    revisions: dict[str, Revision] = field(default_factory=dict)

    @classmethod
    def read(cls, service: Service) -> ServiceHistory:
        history = cls(service)
        folder = service.versions_dir
        if not folder.is_dir():
            raise ConfigError(
                f"{service.ini_path}: service {service.name!r} has no versions folder "
                f"{folder}"
            )
        if not os.access(folder, os.R_OK | os.X_OK):
            raise ConfigError(
                f"{service.ini_path}: service {service.name!r}: its versions folder {folder} "
                "cannot be read (permissions); its revisions would look absent"
            )
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("__"):
                continue
            revision = read_revision_file(service.name, path)
            if revision is None:
                continue
            if revision.revision in history.revisions:
                other = history.revisions[revision.revision].path
                raise RevisionError(
                    f"service {service.name!r}: revision {revision.revision} is defined twice, "
                    f"in {other} and in {path}"
                )
            history.revisions[revision.revision] = revision
        history._check_links()
        return history

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
            raise RevisionError(f"service {self.name!r} has no revision {ref!r}")
        raise RevisionError(
            f"service {self.name!r}: revision prefix {ref!r} is ambiguous: {', '.join(matches)}"
        )

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

    def table_claims(self) -> list[str]:
        """Tables this service's migrations created and did not drop or rename away since."""
        tables: dict[str, None] = {}
        for rev in self.order:
            for kind, name, new_name in self.revisions[rev].table_ops:
                if kind == "create_table":
                    tables[name] = None
                elif kind == "drop_table":
                    tables.pop(name, None)
                elif new_name:
                    tables.pop(name, None)
                    tables[new_name] = None
        return list(tables)


def _upgrade_body(text: str) -> str:
    """The source of ``def upgrade`` up to the next top-level statement."""
    start = _UPGRADE.search(text)
    if not start:
        return ""
    end = _NEXT_TOP_LEVEL.search(text, start.end())
    return text[start.end() : end.start() if end else len(text)]


def read_revision_file(service: str, path: Path) -> Revision | None:
    """Read a revision's identifiers from its source; None for a file that is no revision."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RevisionError(f"{path}: cannot be read: {error}") from None
    values: dict[str, object] = {}
    for match in _ASSIGNMENT.finditer(text):
        key, rest = match.group(1), match.group(2)
        if key in values:
            continue
        value = _literal(text, match.start(2), rest)
        if value is _NOT_LITERAL:
            values = _execute(path)
            break
        values[key] = value
    if "revision" not in values:
        return None
    revision = values["revision"]
    if not isinstance(revision, str) or not revision:
        raise RevisionError(f"{path}: `revision` must be a non-empty string, got {revision!r}")
    check_revision_id(path, revision)
    docstring = _DOCSTRING.match(text)
    message = docstring.group(2).strip().splitlines()[0] if docstring and docstring.group(
        2).strip() else ""
    date = _CREATE_DATE.search(docstring.group(2)) if docstring else None
    return Revision(
        service=service,
        revision=revision,
        down_revisions=_ids(path, "down_revision", values.get("down_revision")),
        depends_on=_ids(path, "depends_on", values.get("depends_on")),
        requires=_requirements(path, values.get("requires")),
        message=message,
        create_date=date.group(1).strip() if date else None,
        path=path,
        table_ops=tuple(_TABLE_OPS.findall(_upgrade_body(text))),
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


_NOT_LITERAL = object()
_STRING = r"""(?:"[^"\\\n]*"|'[^'\\\n]*')"""
#: What Alembic's template writes on one line: None, a plain string, a list or tuple of them.
_SIMPLE_LITERAL = re.compile(
    rf"\s*(None|{_STRING}|\[\s*(?:{_STRING}\s*,\s*)*(?:{_STRING}\s*)?\]"
    rf"|\(\s*(?:{_STRING}\s*,\s*)+(?:{_STRING}\s*)?\)|\(\s*\))\s*(?:#[^\n]*)?"
)


def _literal(text: str, start: int, first_line: str) -> object:
    """Evaluate the literal starting at ``start``, taking further lines while it is unfinished.

    The one-line forms Alembic writes are read with a regular expression (``literal_eval``
    compiles each value: most of the time spent reading 10,000 revisions).
    """
    simple = _SIMPLE_LITERAL.fullmatch(first_line)
    if simple:
        value = simple.group(1)
        if value == "None":
            return None
        strings = [item[1:-1] for item in re.findall(_STRING, value)]
        if value[0] == "[":
            return strings
        return tuple(strings) if value[0] == "(" else strings[0]
    end = start + len(first_line)
    for _ in range(50):
        try:
            return ast.literal_eval(text[start:end])
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            if end >= len(text):
                break
            newline = text.find("\n", end + 1)
            end = newline if newline != -1 else len(text)
    return _NOT_LITERAL


def _execute(path: Path) -> dict[str, object]:
    """Alembic's way: import the module (for identifiers computed at import time)."""
    try:
        module = load_python_file(str(path.parent), path.name)
    except Exception as error:  # the revision file itself is broken: say where
        raise RevisionError(f"{path}: cannot be loaded: {type(error).__name__}: {error}") from None
    names = ("revision", "down_revision", "branch_labels", "depends_on", "requires")
    return {name: getattr(module, name) for name in names if hasattr(module, name)}


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
