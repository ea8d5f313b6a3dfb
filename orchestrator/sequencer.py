"""Turn targets and the database's state into ordered steps across services.

Upgrades and downgrades never mix: a target behind the database is refused by ``upgrade`` and
one ahead of it by ``downgrade``. Every cross-service requirement of the whole range is checked
before a single step is returned, so nothing is applied when one is missing.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

import networkx as nx

from orchestrator.errors import ConfigError, RevisionError
from orchestrator.revision_graph import Node, RevisionGraph
from orchestrator.state import DatabaseState


class Direction(str, Enum):
    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"


@dataclass(frozen=True)
class Step:
    service: str
    revision: str
    direction: Direction
    message: str

    @property
    def node(self) -> Node:
        return (self.service, self.revision)

    def to_dict(self) -> dict[str, str]:
        return {"service": self.service, "revision": self.revision,
                "direction": self.direction.value, "message": self.message}


class RequirementNotMet(RevisionError):
    """A revision in the range needs another service's revision that will not be there."""


class DependentsBlockDowngrade(RevisionError):
    """Applied revisions of other services require what a downgrade would remove."""


def parse_targets(specs: Iterable[str]) -> dict[str, str | None]:
    """``["orders", "users@3f2a"]`` -> ``{"orders": None, "users": "3f2a"}`` (None = head)."""
    targets: dict[str, str | None] = {}
    for spec in specs:
        service, sep, ref = spec.partition("@")
        if not service or (sep and not ref):
            raise ConfigError(f"target {spec!r} must read SERVICE or SERVICE@REVISION")
        if service in targets:
            raise ConfigError(f"service {service!r} is named twice in the targets")
        targets[service] = ref or None
    return targets


class Sequencer:
    def __init__(self, graph: RevisionGraph, state: DatabaseState) -> None:
        self.graph = graph
        self.state = state
        self.applied: set[Node] = set()
        for name, history in graph.histories.items():
            self.applied |= {(name, rev) for rev in history.applied(state.heads_of(name))}

    def upgrade(self, targets: Mapping[str, str | None] | None = None,
                with_requirements: bool = False) -> list[Step]:
        """Steps to bring the targets (default: every service's head) up, in global order."""
        histories = self.graph.histories
        wanted = dict(targets) if targets else {name: None for name in histories}
        needed: set[Node] = set()
        for name, ref in wanted.items():
            history = histories.get(name)
            if history is None:
                raise ConfigError(
                    f"unknown service {name!r}; known: {', '.join(sorted(histories))}"
                )
            target = history.resolve(ref or "head")
            own = {(name, rev) for rev in history.needed_for(target)}
            mine = {n for n in self.applied if n[0] == name}
            # past the target: what builds on it; a parallel branch's revisions may stay applied
            ahead = mine - own if target is None else mine & {
                (name, rev) for rev in nx.descendants(history.graph, target)}
            if ahead:
                raise RevisionError(
                    f"service {name!r}: the database is past the target {target or 'base'} "
                    f"(applied: {', '.join(sorted(r for _, r in ahead))}); that needs "
                    f"`orchestrate downgrade {name}@{target or 'base'}`, which upgrade never "
                    "mixes in"
                )
            needed |= own
            if with_requirements and target:
                needed |= self.graph.ancestors((name, target))
        pending = needed - self.applied
        self._check_requirements(pending)
        return [self._step(node, Direction.UPGRADE) for node in self.graph.ordered(pending)]

    def _check_requirements(self, pending: set[Node]) -> None:
        missing = []
        for node in sorted(pending):
            for needed in self.graph.requirements(node):
                if needed not in self.applied and needed not in pending:
                    missing.append(
                        f"{node[0]}:{node[1]} ({self.graph.revision(node).path.name}) requires "
                        f"{needed[0]}:{needed[1]}, which is neither applied nor in this upgrade"
                    )
        if missing:
            raise RequirementNotMet(
                "nothing was applied: " + "; ".join(missing)
                + ". Upgrade the required services first, include them as targets, or pass "
                "--with-requirements"
            )

    def downgrade(self, service: str, ref: str, cascade: bool = False) -> list[Step]:
        """Steps to take ``service`` down to ``ref`` (and, with cascade, its dependents)."""
        history = self.graph.histories.get(service)
        if history is None:
            raise ConfigError(
                f"unknown service {service!r}; known: {', '.join(sorted(self.graph.histories))}"
            )
        target = history.resolve(ref)
        keep = {(service, rev) for rev in history.needed_for(target)}
        if not keep <= self.applied:
            raise RevisionError(
                f"service {service!r}: the database is behind {target}; that needs "
                f"`orchestrate upgrade {service}@{target}`, which downgrade never mixes in"
            )
        removed = {n for n in self.applied if n[0] == service} - keep
        affected: set[Node] = set()
        for node in removed:
            affected |= self.graph.descendants(node) & self.applied
        dependents = sorted(n for n in affected if n[0] != service)
        if dependents and not cascade:
            lines = []
            for node in dependents:
                needs = [f"{r[0]}:{r[1]}" for r in self.graph.requirements(node)
                         if r in removed or r in affected]
                lines.append(f"{node[0]}:{node[1]}" + (f" (requires {', '.join(needs)})"
                                                       if needs else ""))
            raise DependentsBlockDowngrade(
                f"downgrading {service} to {target or 'base'} would remove revisions that "
                f"applied revisions of other services require: {'; '.join(lines)}. Downgrade "
                "those first, or pass --cascade to downgrade them too"
            )
        order = self.graph.ordered(removed | affected)
        return [self._step(node, Direction.DOWNGRADE) for node in reversed(order)]

    def _step(self, node: Node, direction: Direction) -> Step:
        return Step(node[0], node[1], direction, self.graph.revision(node).message)
