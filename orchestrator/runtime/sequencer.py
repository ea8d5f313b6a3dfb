"""Turn targets and the database's state into ordered steps across services.

Upgrades and downgrades never mix: a target behind the database is refused by ``upgrade`` and
one ahead of it by ``downgrade``. Every cross-service requirement of the whole range is checked
before a single step is returned, so nothing is applied when one is missing.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

import networkx as nx

from orchestrator.core.errors import ConfigError, RevisionError, UnknownService
from orchestrator.history.revision_graph import Node, RevisionGraph
from orchestrator.history.revisions import ServiceHistory
from orchestrator.runtime.state import DatabaseState


class Direction(str, Enum):
    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"


@dataclass(frozen=True)
class Step:
    service: str
    revision: str
    direction: Direction
    message: str
    #: The tenant whose schema the step runs in (a per-tenant service's), else None.
    tenant: str | None = None

    @property
    def node(self) -> Node:
        return (self.service, self.revision)

    def to_dict(self) -> dict[str, str]:
        document = {"service": self.service, "revision": self.revision,
                    "direction": self.direction.value, "message": self.message}
        if self.tenant is not None:
            document["tenant"] = self.tenant
        return document


class RequirementNotMet(RevisionError):
    """A revision in the range needs another service's revision that will not be there."""


class DependentsBlockDowngrade(RevisionError):
    """Applied revisions of other services require what a downgrade would remove."""


_TARGET = re.compile(r"^(?P<service>[A-Za-z_][A-Za-z0-9_]*)(?:@(?P<ref>[^@\s]+))?$")
#: Alembic's relative revisions: ``+2``, ``-1`` (from where the database is), ``head-1``,
#: ``<rev>+2``.
_RELATIVE = re.compile(r"^(?P<start>[A-Za-z0-9_.]*?)(?P<steps>[+-][0-9]+)$")
#: Bare targets naming every service, as ``alembic upgrade head`` / ``heads`` do.
EVERY_SERVICE = ("head", "heads")


def parse_targets(specs: Iterable[str], services: Iterable[str] = ()
                  ) -> dict[str, str | None]:
    """``["orders", "users@3f2a"]`` -> ``{"orders": None, "users": "3f2a"}`` (None = head).

    A bare ``head`` or ``heads`` (not a service's name) stands for every one of ``services``.
    """
    known = list(services)
    targets: dict[str, str | None] = {}
    for spec in specs:
        if spec in EVERY_SERVICE and spec not in known:
            expanded = [(name, None if spec == "head" else "heads") for name in known]
        else:
            match = _TARGET.match(spec)
            if match is None:
                raise ConfigError(
                    f"target {spec!r} must read SERVICE, SERVICE@REVISION, head or heads "
                    "(REVISION: a revision id or unambiguous prefix, head, heads, base, +N, "
                    "-N, head-N or REV+N)"
                )
            expanded = [(match["service"], match["ref"])]
        for service, ref in expanded:
            if service in targets:
                raise ConfigError(f"service {service!r} is named twice in the targets")
            targets[service] = ref
    return targets


class Sequencer:
    """Ordered steps from the revision DAG and what the database has applied."""

    def __init__(self, graph: RevisionGraph, state: DatabaseState) -> None:
        self.graph = graph
        self.state = state
        self.applied_of = {name: history.applied(state.heads_of(name))
                           for name, history in graph.histories.items()}
        self.applied: set[Node] = {
            (name, rev) for name, revs in self.applied_of.items() for rev in revs
        }

    def upgrade(self, targets: Mapping[str, str | None] | None = None,
                with_requirements: bool = False) -> list[Step]:
        """Steps to bring the targets (default: every service's head) up, in global order.

        A target is a revision id or prefix, ``head`` (the default; the service must have one),
        ``heads`` (every head of a branched service) or ``base``. With ``with_requirements``,
        the other services' revisions the targets require (transitively) come along.
        """
        wanted = dict(targets) if targets else dict.fromkeys(self.graph.histories)
        own: dict[str, set[Node]] = {}
        needed: set[Node] = set()
        for name, ref in wanted.items():
            tips = self._upgrade_tips(name, ref)
            own[name] = {(name, rev) for tip in tips
                         for rev in self.graph.histories[name].needed_for(tip)}
            needed |= own[name]
            if with_requirements:
                for tip in tips:
                    needed |= self.graph.ancestors((name, tip))
        pending = needed - self.applied
        beyond = sorted(n for n in pending - set().union(*own.values()) if n[0] in own)
        if beyond:
            limits = ", ".join(f"{name}@{wanted[name] or 'head'}"
                               for name in sorted({service for service, _ in beyond}))
            raise RequirementNotMet(
                f"nothing was applied: the targets require {_labels(beyond)}, beyond the "
                f"target {limits}; raise that target or drop it"
            )
        self._check_requirements(pending)
        return [self._step(node, Direction.UPGRADE) for node in self.graph.ordered(pending)]

    def _upgrade_tips(self, name: str, ref: str | None) -> list[str]:
        """The revisions ``name@ref`` stands for; refused when the database is past them."""
        history = self._history(name)
        if ref == "heads" or (ref is None and not history.heads):
            tips = list(history.heads)
        else:
            try:
                target = self.resolve(name, ref or "head")
            except RevisionError as error:
                if ref or len(history.heads) < 2:
                    raise
                raise RevisionError(
                    f"{error.message}, or upgrade every branch with `{name}@heads`"
                ) from None
            tips = [target] if target else []
        applied = self.applied_of[name]
        if tips:
            ahead = applied & set().union(*(nx.descendants(history.graph, t) for t in tips))
        else:
            ahead = applied
        if ahead:
            raise RevisionError(
                f"service {name!r}: the database is past the target {', '.join(tips) or 'base'} "
                f"(applied: {', '.join(sorted(ahead))}); going back needs "
                f"`orchestrate downgrade`, which upgrade never mixes in"
            )
        return tips

    def _check_requirements(self, pending: set[Node]) -> None:
        missing = []
        for node in sorted(pending):
            for needed in self.graph.requirements(node):
                if needed not in self.applied and needed not in pending:
                    missing.append(
                        f"{_labels([node])} ({self.graph.revision(node).path.name}) requires "
                        f"{_labels([needed])}, which is neither applied nor in this upgrade"
                    )
        if missing:
            raise RequirementNotMet(
                "nothing was applied: " + "; ".join(missing)
                + ". Upgrade the required services first, include them as targets, or pass "
                "--with-requirements"
            )

    def downgrade(self, service: str, ref: str, cascade: bool = False) -> list[Step]:
        """Steps leaving ``service`` with exactly ``ref`` and its ancestors applied.

        Refused when applied revisions of other services require what would be removed,
        unless ``cascade``: then those go first, in reverse topological order.
        """
        history = self._history(service)
        target = self.resolve(service, ref)
        keep = {(service, rev) for rev in history.needed_for(target)}
        if not keep <= self.applied:
            raise RevisionError(
                f"service {service!r}: the database is not at or past {service}@{ref} "
                f"({_labels(sorted(keep - self.applied))} not applied); going forward needs "
                "`orchestrate upgrade`, which downgrade never mixes in"
            )
        removed = {(service, rev) for rev in self.applied_of[service]} - keep
        affected: set[Node] = set()
        for node in removed:
            affected |= self.graph.descendants(node) & self.applied
        dependents = sorted(n for n in affected if n[0] != service)
        if dependents and not cascade:
            lines = []
            for node in dependents:
                needs = [r for r in self.graph.requirements(node) if r in removed | affected]
                lines.append(_labels([node]) + (f" (requires {_labels(needs)})" if needs else ""))
            raise DependentsBlockDowngrade(
                f"downgrading {service} to {ref} would remove revisions that applied revisions "
                f"of other services require: {'; '.join(lines)}. Nothing was changed. Downgrade "
                "those first, or pass --cascade to downgrade them too"
            )
        order = self.graph.ordered(removed | affected)
        return [self._step(node, Direction.DOWNGRADE) for node in reversed(order)]

    def resolve(self, name: str, ref: str) -> str | None:
        """``ref`` of service ``name`` as a revision id (None: base); see :func:`resolve_target`."""
        return resolve_target(self._history(name), ref, self.state.heads_of(name))

    def _history(self, name: str) -> ServiceHistory:
        try:
            return self.graph.histories[name]
        except KeyError:
            raise UnknownService(name, sorted(self.graph.histories)) from None

    def _step(self, node: Node, direction: Direction) -> Step:
        return Step(node[0], node[1], direction, self.graph.revision(node).message)


def resolve_target(history: ServiceHistory, ref: str, db_heads: list[str]) -> str | None:
    """``ref`` as a revision id of ``history`` (None: base): an id or prefix, ``head``,
    ``base``, or Alembic's relative forms: ``+N``/``-N`` from ``db_heads`` (where the database
    is), ``head-N``, ``REV+N``."""
    name = history.name
    relative = _RELATIVE.match(ref)
    if relative is None:
        return history.resolve(ref)
    if relative["start"]:
        start = history.resolve(relative["start"])
    else:
        if len(db_heads) > 1:
            raise RevisionError(
                f"service {name!r}: the database is at several revisions "
                f"({', '.join(db_heads)}); {name}@{ref} is ambiguous: name one, e.g. "
                f"{name}@{db_heads[0]}{relative['steps']}")
        history.applied(db_heads)  # a revision the code lacks cannot be walked from
        start = db_heads[0] if db_heads else None
    return history.walk(start, int(relative["steps"]), f"{name}@{ref}")


def _labels(nodes: Iterable[Node]) -> str:
    return ", ".join(f"{service}:{rev}" for service, rev in nodes)
