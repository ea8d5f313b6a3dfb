"""The global revision DAG: nodes ``(service, revision)`` across every service.

Edges run from a revision to the revisions built on it, each with a ``kind``: the service's own
``down_revision`` (merge revisions have several) and ``depends_on``, plus the cross-service
``requires`` that vanilla Alembic ignores.

The order is deterministic: among the revisions ready at the same time, the one of the service
earliest in the service graph goes first, then by service name, then in the service's history
order. (Ranking by the service graph before the name is deliberate: when a ``requires`` is
missing from a revision, the service it builds on still tends to go first.) Same inputs, same
order, so two ``upgrade --sql`` runs print identical scripts.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from orchestrator.core.errors import GraphCycleError, RevisionError
from orchestrator.history.revisions import Requirement, Revision, ServiceHistory

Node = tuple[str, str]

DOWN_REVISION = "down_revision"
DEPENDS_ON = "depends_on"
REQUIRES = "requires"


@dataclass
class RevisionGraph:
    graph: nx.DiGraph
    histories: Mapping[str, ServiceHistory]
    service_rank: Mapping[str, int]

    @classmethod
    def build(
        cls, histories: Mapping[str, ServiceHistory], service_rank: Mapping[str, int] | None = None
    ) -> RevisionGraph:
        """The DAG of every service's revisions; bad ``requires`` and cycles name the files."""
        graph = nx.DiGraph()
        for name, history in histories.items():
            graph.add_nodes_from((name, rev) for rev in history.revisions)
            for rev in history.revisions.values():
                graph.add_edges_from((((name, p), rev.node) for p in rev.down_revisions),
                                     kind=DOWN_REVISION)
                graph.add_edges_from((((name, p), rev.node) for p in rev.depends_on
                                      if p not in rev.down_revisions), kind=DEPENDS_ON)
        for history in histories.values():
            for rev in history.revisions.values():
                for requirement in rev.requires:
                    needed = _resolve_requirement(histories, rev, requirement)
                    graph.add_edge(needed, rev.node, kind=REQUIRES)
        rank = dict(service_rank or {})
        result = cls(graph, histories,
                     {n: rank.get(n, len(rank)) for n in histories})
        result._check_acyclic()
        return result

    def _check_acyclic(self) -> None:
        if nx.is_directed_acyclic_graph(self.graph):
            return
        cycle = nx.find_cycle(self.graph)
        steps = []
        for parent, child in cycle:
            verb = "requires" if self.kind(parent, child) == REQUIRES else "builds on"
            steps.append(f"{_label(child)} ({self.revision(child).path}) {verb} {_label(parent)}")
        raise GraphCycleError(
            "the revisions form a cycle across services: " + "; ".join(steps)
            + ". Remove one of these `requires` entries"
        )

    def revision(self, node: Node) -> Revision:
        return self.histories[node[0]].revisions[node[1]]

    def kind(self, parent: Node, child: Node) -> str:
        """``down_revision``, ``depends_on`` or ``requires``: why ``child`` comes after."""
        return self.graph.edges[parent, child]["kind"]

    def sort_key(self, node: Node) -> tuple[int, str, int]:
        service, rev = node
        return (self.service_rank[service], service, self.histories[service].position[rev])

    def ordered(self, nodes: Iterable[Node]) -> list[Node]:
        """The nodes in dependency order (a valid order to apply them), deterministic.

        Kahn's algorithm over the nodes given, always taking the ready node with the smallest
        :meth:`sort_key` (what ``networkx.lexicographical_topological_sort`` does, without
        building a subgraph view: this runs on every plan and upgrade).
        """
        chosen = set(nodes)
        pred, succ = self.graph.pred, self.graph.succ
        waiting = {n: sum(1 for p in pred[n] if p in chosen) for n in chosen}
        ready = [(self.sort_key(n), n) for n, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        order: list[Node] = []
        while ready:
            _, node = heapq.heappop(ready)
            order.append(node)
            for child in succ[node]:
                if child in chosen:
                    waiting[child] -= 1
                    if waiting[child] == 0:
                        heapq.heappush(ready, (self.sort_key(child), child))
        return order

    @property
    def order(self) -> list[Node]:
        """Every revision of every service, in the order an upgrade from nothing applies them."""
        return self.ordered(self.graph)

    def ancestors(self, node: Node) -> set[Node]:
        return nx.ancestors(self.graph, node)

    def descendants(self, node: Node) -> set[Node]:
        return nx.descendants(self.graph, node)

    def requirements(self, node: Node) -> list[Node]:
        """The other services' revisions this one names in ``requires``."""
        return sorted(p for p in self.graph.pred[node] if self.kind(p, node) == REQUIRES)

    def dependents(self, node: Node) -> list[Node]:
        """The other services' revisions that name this one in ``requires``."""
        return sorted(c for c in self.graph.succ[node] if self.kind(node, c) == REQUIRES)


def _label(node: Node) -> str:
    return f"{node[0]}:{node[1]}"


def _resolve_requirement(histories: Mapping[str, ServiceHistory], rev: Revision,
                         requirement: Requirement) -> Node:
    other = histories.get(requirement.service)
    if other is None:
        raise RevisionError(
            f"{rev.path}: `requires` names unknown service {requirement.service!r} "
            f"(in {requirement}); known services: {', '.join(sorted(histories))}"
        )
    if requirement.service == rev.service:
        raise RevisionError(
            f"{rev.path}: `requires` names its own service ({requirement}); use down_revision "
            "or depends_on within a service"
        )
    if requirement.revision in ("head", "heads"):
        raise RevisionError(
            f"{rev.path}: `requires` entry {requirement} must name a fixed revision of "
            f"{requirement.service}, not a moving head"
        )
    try:
        resolved = other.resolve(requirement.revision)
    except RevisionError as error:
        raise RevisionError(f"{rev.path}: `requires` entry {requirement}: {error}") from None
    if resolved is None:
        raise RevisionError(f"{rev.path}: `requires` entry {requirement} names no revision")
    return (requirement.service, resolved)
