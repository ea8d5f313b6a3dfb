"""Do a service's branches collide? Compared from what their revisions' ``upgrade()`` do.

Each call of the revisions' recorded readings (:mod:`orchestrator.history.reading`: the Alembic
operations they dispatched, and the SQL they run, parsed) becomes changes to schema objects: it *adds* a table, column, index or constraint, *removes* one (drop, or rename away),
*alters* a column, or *uses* one (adds to a table, indexes a column, points a foreign key at
it). Two branches conflict when, past the point where they split:

- both add the same object, or both remove it: whichever runs second fails;
- one removes an object the other alters or uses: one of them fails, or a change is lost.

Both altering one column is a warning: both run, the last one wins. An operation inside an
``if``/``try`` or with ``if_exists``/``if_not_exists`` counts as guarded; a pair of guarded
operations does not conflict (either may run first, so both need the guard), nor does a
removal against a guarded change (skipped once the object is gone). A revision of a branch that
could not be read to its end (it reads rows through ``op.get_bind()``) is a warning naming the
file and line: what it does after that line is not compared.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from itertools import combinations
from pathlib import Path

import networkx as nx

from orchestrator.history.reading import Call
from orchestrator.history.revisions import Revision, ServiceHistory
from orchestrator.history.sql import Statement


class Action(str, Enum):
    ADD = "add"
    REMOVE = "remove"
    ALTER = "alter"
    USE = "use"


@dataclass(frozen=True)
class SchemaObject:
    """A table, a column, an index (named schema-wide) or a constraint (named per table)."""

    kind: str
    name: str
    table: str | None = None

    def __str__(self) -> str:
        if self.kind == "column":
            return f"column {self.table}.{self.name}"
        if self.kind == "constraint":
            return f"constraint {self.name} on {self.table}"
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Change:
    """One effect of one operation of one revision, with the words that describe it."""

    action: Action
    obj: SchemaObject
    phrase: str
    revision: Revision
    operation: Call
    where: str  # "path:line", relative to the workspace

    @property
    def guarded(self) -> bool:
        call = self.operation
        return call.guarded or any(call.option(flag) for flag in ("if_exists", "if_not_exists"))

    def describe(self) -> str:
        call = self.operation
        what = "SQL" if call.name == "connection" else f"op.{call.name}"
        return f"revision {self.revision.revision} ({self.where}, {what}) {self.phrase}"


_KINDS = {
    # the actions of the two changes (in either order) -> the kind of conflict
    frozenset([Action.ADD]): "both-add",
    frozenset([Action.REMOVE]): "both-remove",
    frozenset([Action.REMOVE, Action.ALTER]): "remove-vs-change",
    frozenset([Action.REMOVE, Action.USE]): "remove-vs-change",
    frozenset([Action.REMOVE, Action.ADD]): "remove-vs-change",
    frozenset([Action.ALTER]): "both-alter",
}
_RANK = {"both-add": 0, "both-remove": 0, "remove-vs-change": 1, "both-alter": 2}


@dataclass(frozen=True)
class Conflict:
    service: str
    kind: str  # both-add | both-remove | remove-vs-change | both-alter
    obj: SchemaObject
    first: Change
    second: Change

    @property
    def severity(self) -> str:
        return "warning" if self.kind == "both-alter" else "error"

    @property
    def message(self) -> str:
        what, (a, b), fix = self.explained()
        return f"{what}: {a}; {b}. {fix}"

    def explained(self) -> tuple[str, tuple[str, str], str]:
        """What collides, the two operations (file, line, call), what follows and the fix."""
        a, b = self.first.describe(), self.second.describe()
        head = f"service {self.service!r}: "
        if self.kind in ("both-add", "both-remove"):
            verb, flag = ("add", "if_not_exists=True") if self.kind == "both-add" else (
                "remove", "if_exists=True")
            return (head + f"both branches {verb} {self.obj}", (a, b),
                    "Whichever runs second fails. Remove the duplicate operation from one "
                    f"branch, or guard both ({flag} or an existence check: either branch may "
                    "run first)")
        if self.kind == "remove-vs-change":
            removing, other = (a, b) if self.first.action is Action.REMOVE else (b, a)
            return (head + f"one branch removes {self.obj} that the other changes or uses",
                    (removing, other),
                    "In one of the two orders the change fails. Remove the operation from "
                    "one branch (or move it onto the other branch, after the change), or "
                    "guard the change with an existence check so that it is skipped once the "
                    "object is gone")
        return (head + f"both branches alter {self.obj}", (a, b),
                "Both run and the last one wins; check that the merged schema is what you want")

    def to_dict(self) -> dict:
        return {
            "service": self.service,
            "severity": self.severity,
            "kind": self.kind,
            "object": str(self.obj),
            "revisions": [self.first.revision.revision, self.second.revision.revision],
            "locations": [self.first.where, self.second.where],
            "message": self.message,
        }


@dataclass(frozen=True)
class Unread:
    """A branch revision read only up to a line: conflicts past it are not checked."""

    service: str
    revision: Revision
    where: str  # "path:line"
    why: str
    severity: str = "warning"

    @property
    def message(self) -> str:
        return (f"service {self.service!r}: revision {self.revision.revision} ({self.where}) "
                f"could not be read past that line ({self.why}); what it does after it is not "
                "compared with the other branch")

    def to_dict(self) -> dict:
        return {"service": self.service, "severity": self.severity, "kind": "unread",
                "object": f"revision {self.revision.revision}",
                "revisions": [self.revision.revision], "locations": [self.where],
                "message": self.message}


def analyse_conflicts(history: ServiceHistory, root: Path | None = None
                      ) -> list[Conflict | Unread]:
    """Conflicts between every pair of the service's heads (none with a single head), then
    the branch revisions that could not be read to their end.

    ``root`` makes the file names in messages relative to the workspace.
    """
    heads = history.heads
    if len(heads) < 2:
        return []
    reach = {h: nx.ancestors(history.graph, h) | {h} for h in heads}
    changes: dict[str, list[Change]] = {}

    def side(revisions: set[str]) -> list[Change]:
        found: list[Change] = []
        for rev in sorted(revisions, key=history.position.__getitem__):
            if rev not in changes:
                changes[rev] = list(_changes(history, history.revisions[rev], root))
            found += changes[rev]
        return found

    conflicts: dict[tuple, Conflict] = {}
    for one, two in combinations(heads, 2):
        left, right = side(reach[one] - reach[two]), side(reach[two] - reach[one])
        by_object: dict[SchemaObject, list[Change]] = {}
        for change in right:
            by_object.setdefault(change.obj, []).append(change)
        for mine in left:
            for theirs in by_object.get(mine.obj, ()):
                kind = _KINDS.get(frozenset([mine.action, theirs.action]))
                if kind is None or _guarded(kind, mine, theirs):
                    continue
                first, second = sorted(
                    (mine, theirs), key=lambda c: (history.position[c.revision.revision],
                                                   c.operation.line))
                key = (first.revision.revision, first.operation.line,
                       second.revision.revision, second.operation.line)
                found = Conflict(history.name, kind, mine.obj, first, second)
                if key not in conflicts or _RANK[kind] < _RANK[conflicts[key].kind]:
                    conflicts[key] = found
    found: list[Conflict | Unread] = sorted(conflicts.values(), key=lambda c: (_RANK[c.kind], *(
        (history.position[x.revision.revision], x.operation.line) for x in (c.first, c.second))))
    return found + _unread(history, changes, root)


def _unread(history: ServiceHistory, compared: dict[str, list[Change]], root: Path | None
            ) -> list[Unread]:
    found = []
    for rev in sorted(compared, key=history.position.__getitem__):
        reading = history.reading(rev)
        stop = reading.upgrade.stop if reading.upgrade is not None else reading.failure
        if stop is not None:
            revision = history.revisions[rev]
            found.append(Unread(history.name, revision,
                                f"{_shown(revision.path, root)}:{stop.line}", stop.message))
    return found


def _shown(path: Path, root: Path | None) -> Path:
    return path.relative_to(root) if root and path.is_relative_to(root) else path


def _guarded(kind: str, one: Change, two: Change) -> bool:
    """Guards that make the pair safe in both orders: on the changing side of a removal (it
    is skipped once the object is gone), on both sides of anything else."""
    if kind == "remove-vs-change":
        return (two if one.action is Action.REMOVE else one).guarded
    return one.guarded and two.guarded


def _changes(history: ServiceHistory, revision: Revision, root: Path | None
             ) -> Iterator[Change]:
    shown = _shown(revision.path, root)
    for call in history.reading(revision.revision).calls("upgrade"):
        effects = list(_effects(call))
        for statement in call.sql:
            if statement.raw:
                effects += _sql_effects(statement)
        for action, obj, phrase in effects:
            yield Change(action, obj, phrase, revision, call, f"{shown}:{call.line}")


Effect = tuple[Action, SchemaObject, str]


def _effects(call: Call) -> Iterator[Effect]:
    """What one operation does to which objects."""
    table, target, name = call.table, call.target, call.name
    if table is None:
        if name == "drop_index" and target:
            yield Action.REMOVE, SchemaObject("index", target), f"drops index {target}"
        return
    table_obj = SchemaObject("table", table)
    if name == "create_table":
        yield Action.ADD, table_obj, f"creates table {table}"
    elif name == "drop_table":
        yield Action.REMOVE, table_obj, f"drops table {table}"
    elif name == "rename_table":
        new = call.new_name
        yield Action.REMOVE, table_obj, f"renames table {table} to {new}"
        if new:
            yield Action.ADD, SchemaObject("table", new), f"renames table {table} to {new}"
    elif target is None:
        yield Action.USE, table_obj, f"changes table {table}"
    else:
        yield Action.USE, table_obj, f"changes table {table}"
        yield from _object_effects(call, table, target)
    for ref_table, ref_column in _foreign_key_targets(call):
        phrase = f"points a foreign key at {ref_table}" + (f".{ref_column}" if ref_column else "")
        yield Action.USE, SchemaObject("table", ref_table), phrase
        if ref_column:
            yield Action.USE, SchemaObject("column", ref_column, ref_table), phrase


def _object_effects(call: Call, table: str, target: str) -> Iterator[Effect]:
    name = call.name
    column = SchemaObject("column", target, table)
    if name == "add_column":
        yield Action.ADD, column, f"adds {column}"
    elif name == "drop_column":
        yield Action.REMOVE, column, f"drops {column}"
    elif name == "alter_column":
        new = call.new_name
        if new:
            renamed = f"renames {column} to {new}"
            yield Action.REMOVE, column, renamed
            yield Action.ADD, SchemaObject("column", new, table), renamed
        else:
            yield Action.ALTER, column, f"alters {column}"
    elif name == "create_index":
        yield Action.ADD, SchemaObject("index", target), f"creates index {target} on {table}"
        yield from _column_uses(call, table, f"indexes it in {target}")
    elif name == "drop_index":
        yield Action.REMOVE, SchemaObject("index", target), f"drops index {target}"
    elif name.startswith("create_") and name.endswith(("_constraint", "_key")):
        yield (Action.ADD, SchemaObject("constraint", target, table),
               f"creates constraint {target} on {table}")
        yield from _column_uses(call, table, f"uses it in constraint {target}")
    elif name == "drop_constraint":
        yield (Action.REMOVE, SchemaObject("constraint", target, table),
               f"drops constraint {target} on {table}")


def _column_uses(call: Call, table: str, phrase: str) -> Iterator[Effect]:
    for constraint in call.constraints:
        for column in constraint.columns or ():
            yield Action.USE, SchemaObject("column", column, table), phrase


def _foreign_key_targets(call: Call) -> Iterator[tuple[str, str | None]]:
    """``(table, column)`` every foreign key the call creates points at."""
    references = [ref for c in call.columns for ref in c.references]
    references += [ref for c in call.constraints if c.kind == "foreign key"
                   for ref in c.references]
    for ref in dict.fromkeys(references):
        ref_table, _, ref_column = ref.rpartition(".")
        if ref_table:
            yield ref_table, ref_column or None


def _sql_effects(statement: Statement) -> list[Effect]:
    """What raw SQL (``op.execute``, a connection) does, as its parser reads it."""
    table = statement.table
    if statement.verb == "create table" and table:
        return [(Action.ADD, SchemaObject("table", table), f"creates table {table} in SQL")]
    if statement.verb == "drop table":
        return [(Action.REMOVE, SchemaObject("table", t), f"drops table {t} in SQL")
                for t in statement.tables]
    if statement.verb == "drop index" and statement.name:
        return [(Action.REMOVE, SchemaObject("index", statement.name),
                 f"drops index {statement.name} in SQL")]
    if statement.verb == "create index" and statement.name and table:
        return [(Action.ADD, SchemaObject("index", statement.name),
                 f"creates index {statement.name} on {table} in SQL")]
    found: list[Effect] = []
    for clause in statement.clauses if table else ():
        column = SchemaObject("column", clause.name or "", table)
        if clause.kind == "add column" and clause.name:
            found.append((Action.ADD, column, f"adds {column} in SQL"))
        elif clause.kind == "drop column" and clause.name:
            found.append((Action.REMOVE, column, f"drops {column} in SQL"))
        elif clause.kind == "alter column" and clause.name:
            found.append((Action.ALTER, column, f"alters {column} in SQL"))
        elif clause.kind == "rename column" and clause.name and clause.new_name:
            phrase = f"renames {column} to {clause.new_name} in SQL"
            found += [(Action.REMOVE, column, phrase),
                      (Action.ADD, SchemaObject("column", clause.new_name, table), phrase)]
        elif clause.kind == "drop constraint" and clause.name:
            obj = SchemaObject("constraint", clause.name, table)
            found.append((Action.REMOVE, obj, f"drops {obj} in SQL"))
        elif clause.kind == "rename table" and clause.new_name:
            phrase = f"renames table {table} to {clause.new_name} in SQL"
            found += [(Action.REMOVE, SchemaObject("table", table), phrase),
                      (Action.ADD, SchemaObject("table", clause.new_name), phrase)]
    return found
