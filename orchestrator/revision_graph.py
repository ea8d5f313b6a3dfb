"""The global revision DAG: nodes ``(service, revision)`` across every service.

Edges run from a revision to the revisions built on it: each service's ``down_revision``
(merge revisions included) and ``depends_on``, plus the cross-service ``requires`` that
vanilla Alembic ignores. The order is deterministic: among revisions ready at the same time,
services earlier in the service graph first, then by service name, then history order.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from orchestrator.errors import GraphCycleError, RevisionError
from orchestrator.history import Revision, ServiceHistory

Node = tuple[str, str]


@dataclass
class RevisionGraph:
    graph: nx.DiGraph
    histories: Mapping[str, ServiceHistory]
    service_rank: Mapping[str, int]

    @classmethod
    def build(
        cls, histories: Mapping[str, ServiceHistory], service_rank: Mapping[str, int] | None = None
    ) -> RevisionGraph:
        graph = nx.DiGraph()
        for name, history in histories.items():
            graph.add_nodes_from(((name, rev) for rev in history.revisions), service=name)
            graph.add_edges_from(((name, a), (name, b)) for a, b in history.graph.edges)
        for name, history in histories.items():
            for rev in history.revisions.values():
                for requirement in rev.requires:
                    needed = _resolve_requirement(histories, rev, requirement)
                    graph.add_edge(needed, rev.node, requires=True)
        rank = dict(service_rank or {})
        result = cls(graph, histories, {n: rank.get(n, len(rank)) for n in histories})
        result._check_acyclic()
        return result

    def _check_acyclic(self) -> None:
        if nx.is_directed_acyclic_graph(self.graph):
            return
        cycle = nx.find_cycle(self.graph)
        steps = []
        for parent, child in cycle:
            kind = "requires" if self.graph.edges[parent, child].get("requires") else "builds on"
            steps.append(
                f"{child[0]}:{child[1]} ({self.revision(child).path}) {kind} {parent[0]}:{parent[1]}"
            )
        raise GraphCycleError(
            "the revisions form a cycle across services: " + "; ".join(steps)
            + ". Remove one of these `requires` entries"
        )

    def revision(self, node: Node) -> Revision:
        return self.histories[node[0]].revisions[node[1]]

    def sort_key(self, node: Node) -> tuple[int, str, int]:
        service, rev = node
        return (self.service_rank[service], service, self.histories[service].position[rev])

    def ordered(self, nodes: Iterable[Node]) -> list[Node]:
        """The nodes in dependency order (a valid order to apply them), deterministic."""
        sub = self.graph.subgraph(set(nodes))
        return list(nx.lexicographical_topological_sort(sub, key=self.sort_key))

    def ancestors(self, node: Node) -> set[Node]:
        return nx.ancestors(self.graph, node)

    def descendants(self, node: Node) -> set[Node]:
        return nx.descendants(self.graph, node)

    def requirements(self, node: Node) -> list[Node]:
        """The other services' revisions this one names in ``requires``."""
        return sorted(p for p in self.graph.predecessors(node)
                      if self.graph.edges[p, node].get("requires"))

    def dependents(self, node: Node) -> list[Node]:
        """The other services' revisions that name this one in ``requires``."""
        return sorted(c for c in self.graph.successors(node)
                      if self.graph.edges[node, c].get("requires"))


def _resolve_requirement(histories: Mapping[str, ServiceHistory], rev: Revision,
                         requirement) -> Node:
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
    try:
        resolved = other.resolve(requirement.revision)
    except RevisionError as error:
        raise RevisionError(f"{rev.path}: `requires` entry {requirement}: {error}") from None
    if resolved is None:
        raise RevisionError(f"{rev.path}: `requires` entry {requirement} names no revision")
    return (requirement.service, resolved)
