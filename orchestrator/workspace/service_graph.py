"""The service graph: an edge ``orders -> users`` means orders needs users.

Edges come from foreign keys in the models (a table orders owns points at a table users owns)
and from ``depends_on`` declared in a service's ini; each edge keeps the reasons that made it.
A cycle is an error that prints the cycle and, for each edge, the foreign keys or declaration
behind it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
from sqlalchemy import MetaData

from orchestrator.config.service import Service
from orchestrator.core.errors import GraphCycleError
from orchestrator.workspace.ownership import OwnershipRegistry, table_key

FOREIGN_KEY = "foreign_key"
DEPENDS_ON = "depends_on"


@dataclass(frozen=True, order=True)
class EdgeReason:
    """Why one service needs another: a foreign key, or a declaration in the ini."""

    kind: str  # FOREIGN_KEY or DEPENDS_ON
    source: str  # "orders.user_id", or the ini file declaring depends_on
    target: str  # "users.id", or the service named by depends_on

    def __str__(self) -> str:
        if self.kind == FOREIGN_KEY:
            return f"foreign key {self.source} -> {self.target}"
        return f"depends_on = {self.target} in {self.source}"

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "source": self.source, "target": self.target,
                "text": str(self)}


@dataclass
class ServiceGraph:
    graph: nx.DiGraph = field(default_factory=nx.DiGraph)

    @classmethod
    def build(
        cls,
        services: Mapping[str, Service],
        metadata: Mapping[str, MetaData],
        ownership: OwnershipRegistry,
    ) -> ServiceGraph:
        graph = nx.DiGraph()
        graph.add_nodes_from(sorted(services))
        for name in sorted(services):
            for needed in services[name].depends_on:
                _add_reason(graph, name, needed,
                            EdgeReason(DEPENDS_ON, services[name].ini_path.name, needed))
            for table in metadata[name].tables.values():
                if ownership.owner(table_key(table.name, table.schema)) != name:
                    continue
                for fk in table.foreign_keys:
                    target = fk.target_fullname.rsplit(".", 1)[0]
                    owner = ownership.owner(target)
                    if owner and owner != name:
                        _add_reason(graph, name, owner, EdgeReason(
                            FOREIGN_KEY, f"{table_key(table.name, table.schema)}."
                                         f"{fk.parent.name}", fk.target_fullname))
        result = cls(graph)
        result.check_acyclic()
        return result

    def check_acyclic(self) -> None:
        if nx.is_directed_acyclic_graph(self.graph):
            return
        cycle = nx.find_cycle(self.graph)
        path = " -> ".join([cycle[0][0], *[b for _, b in cycle]])
        edges = [f"{a} -> {b} ({'; '.join(map(str, self.reasons(a, b)))})" for a, b in cycle]
        raise GraphCycleError(
            f"the service graph has a cycle: {path}. Edges: " + ", ".join(edges)
            + ". Break it by removing a foreign key or a depends_on declaration"
        )

    def needs(self, service: str) -> list[str]:
        return sorted(self.graph.successors(service))

    def reasons(self, service: str, needed: str) -> list[EdgeReason]:
        """The foreign keys and declarations behind ``service -> needed``, sorted."""
        return sorted(self.graph.edges[service, needed]["reasons"])

    @cached_property
    def order(self) -> list[str]:
        """Services, each after everything it needs; ties by name."""
        return list(nx.lexicographical_topological_sort(self.graph.reverse(copy=False)))

    @cached_property
    def rank(self) -> dict[str, int]:
        return {name: index for index, name in enumerate(self.order)}


def _add_reason(graph: nx.DiGraph, source: str, target: str, reason: EdgeReason) -> None:
    if graph.has_edge(source, target):
        graph.edges[source, target]["reasons"].add(reason)
    else:
        graph.add_edge(source, target, reasons={reason})
