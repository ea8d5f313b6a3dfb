"""Do a service's branches collide? Compared from what their revisions' ``upgrade()`` do.

Each operation (read by :mod:`orchestrator.history.operations`, never run) becomes changes to schema
objects: it *adds* a table, column, index or constraint, *removes* one (drop, or rename away),
*alters* a column, or *uses* one (adds to a table, indexes a column, points a foreign key at
it). Two branches conflict when, past the point where they split:

- both add the same object, or both remove it: whichever runs second fails;
- one removes an object the other alters or uses: one of them fails, or a change is lost.

Both altering one column is a warning: both run, the last one wins. An operation inside an
``if``/``try`` or with ``if_exists``/``if_not_exists`` counts as guarded; a pair of guarded
operations does not conflict (either may run first, so both need the guard), nor does a
removal against a guarded change (skipped once the object is gone).
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from itertools import combinations
from pathlib import Path

import networkx as nx

from orchestrator.history.operations import Operation, literal, read_operations
from orchestrator.history.revisions import Revision, ServiceHistory


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
    operation: Operation
    where: str  # "path:line", relative to the workspace

    @property
    def guarded(self) -> bool:
        op = self.operation
        return op.conditional or any(
            op.keyword(flag) is True
            for flag in ("if_exists", "if_not_exists"))

    def describe(self) -> str:
        op = self.operation.name
        return f"revision {self.revision.revision} ({self.where}, op.{op}) {self.phrase}"


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
        a, b = self.first.describe(), self.second.describe()
        head = f"service {self.service!r}: "
        if self.kind in ("both-add", "both-remove"):
            verb, flag = ("add", "if_not_exists=True") if self.kind == "both-add" else (
                "remove", "if_exists=True")
            return (head + f"both branches {verb} {self.obj}: {a}; {b}. Whichever runs second "
                    "fails. Remove the duplicate operation from one branch, or guard both "
                    f"({flag} or an existence check: either branch may run first)")
        if self.kind == "remove-vs-change":
            removing, other = (a, b) if self.first.action is Action.REMOVE else (b, a)
            return (head + f"one branch removes {self.obj} that the other changes or uses: "
                    f"{removing}; {other}. In one of the two orders the change fails. Remove "
                    "the operation from one branch (or move it onto the other branch, after "
                    "the change), or guard the change with an existence check so that it is "
                    "skipped once the object is gone")
        return (head + f"both branches alter {self.obj}: {a}; {b}. Both run and the last one "
                "wins; check that the merged schema is what you want")

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


def analyse_conflicts(history: ServiceHistory, root: Path | None = None) -> list[Conflict]:
    """Conflicts between every pair of the service's heads (none with a single head).

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
                changes[rev] = list(_changes(history.revisions[rev], root))
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
    return sorted(conflicts.values(), key=lambda c: (_RANK[c.kind], *(
        (history.position[x.revision.revision], x.operation.line) for x in (c.first, c.second))))


def _guarded(kind: str, one: Change, two: Change) -> bool:
    """Guards that make the pair safe in both orders: on the changing side of a removal (it
    is skipped once the object is gone), on both sides of anything else."""
    if kind == "remove-vs-change":
        return (two if one.action is Action.REMOVE else one).guarded
    return one.guarded and two.guarded


def _changes(revision: Revision, root: Path | None) -> Iterator[Change]:
    path = revision.path
    shown = path.relative_to(root) if root and path.is_relative_to(root) else path
    for op in read_operations(path).in_function("upgrade"):
        for action, obj, phrase in _effects(op):
            yield Change(action, obj, phrase, revision, op, f"{shown}:{op.line}")


Effect = tuple[Action, SchemaObject, str]


def _effects(op: Operation) -> Iterator[Effect]:
    """What one operation does to which objects (nothing for ones it cannot name literally)."""
    table, target, name = op.table, op.target, op.name
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
        yield Action.REMOVE, table_obj, f"renames table {table} to {target}"
        if target:
            yield Action.ADD, SchemaObject("table", target), f"renames table {table} to {target}"
    elif target is None:
        yield Action.USE, table_obj, f"changes table {table}"
    else:
        yield Action.USE, table_obj, f"changes table {table}"
        yield from _object_effects(op, table, target)
    for ref_table, ref_column in _foreign_key_targets(op):
        phrase = f"points a foreign key at {ref_table}" + (f".{ref_column}" if ref_column else "")
        yield Action.USE, SchemaObject("table", ref_table), phrase
        if ref_column:
            yield Action.USE, SchemaObject("column", ref_column, ref_table), phrase


def _object_effects(op: Operation, table: str, target: str) -> Iterator[Effect]:
    name = op.name
    column = SchemaObject("column", target, table)
    if name == "add_column":
        yield Action.ADD, column, f"adds {column}"
    elif name == "drop_column":
        yield Action.REMOVE, column, f"drops {column}"
    elif name == "alter_column":
        new = op.literal("new_column_name")
        if isinstance(new, str):
            renamed = f"renames {column} to {new}"
            yield Action.REMOVE, column, renamed
            yield Action.ADD, SchemaObject("column", new, table), renamed
        else:
            yield Action.ALTER, column, f"alters {column}"
    elif name == "create_index":
        yield Action.ADD, SchemaObject("index", target), f"creates index {target} on {table}"
        yield from _column_uses(op, table, "columns", f"indexes it in {target}")
    elif name == "drop_index":
        yield Action.REMOVE, SchemaObject("index", target), f"drops index {target}"
    elif name.startswith("create_") and name.endswith(("_constraint", "_key")):
        yield (Action.ADD, SchemaObject("constraint", target, table),
               f"creates constraint {target} on {table}")
        for param in ("columns", "local_cols"):
            yield from _column_uses(op, table, param, f"uses it in constraint {target}")
    elif name == "drop_constraint":
        yield (Action.REMOVE, SchemaObject("constraint", target, table),
               f"drops constraint {target} on {table}")


def _column_uses(op: Operation, table: str, param: str, phrase: str) -> Iterator[Effect]:
    names = literal(op.args.get(param))
    for column in names if isinstance(names, (list, tuple)) else ():
        if isinstance(column, str):
            yield Action.USE, SchemaObject("column", column, table), phrase


def _foreign_key_targets(op: Operation) -> Iterator[tuple[str, str | None]]:
    """``(table, column)`` every foreign key of the operation points at."""
    if op.name == "create_foreign_key":
        referent = op.literal("referent_table")
        if isinstance(referent, str):
            remote = op.literal("remote_cols")
            for column in remote if isinstance(remote, (list, tuple)) else [None]:
                yield referent, column if isinstance(column, str) else None
        return
    if op.node is None:
        return
    for call in ast.walk(op.node):
        if not isinstance(call, ast.Call):
            continue
        callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(
            call.func, "id", None)
        if callee == "ForeignKey" and call.args:
            refs = [literal(call.args[0])]
        elif callee == "ForeignKeyConstraint" and len(call.args) > 1:
            refs = literal(call.args[1]) or []
        else:
            continue
        for ref in refs:
            if isinstance(ref, str) and "." in ref:
                ref_table, _, ref_column = ref.rpartition(".")
                yield ref_table, ref_column
