"""The service graph: an edge ``orders -> users`` means orders needs users.

Edges come from foreign keys in the models (a table of orders points at a table users owns)
and from ``depends_on`` declared in a service's ini. A cycle is an error that prints the
cycle and, for each edge, the foreign keys or declaration behind it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
from sqlalchemy import MetaData

from orchestrator.errors import GraphCycleError
from orchestrator.migration_options import table_key
from orchestrator.ownership import OwnershipRegistry
from orchestrator.service import Service


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
                _add_reason(graph, name, needed, f"depends_on = {needed} in "
                            f"{services[name].ini_path.name}")
            for table in metadata[name].tables.values():
                if ownership.owner(table_key(table.name, table.schema)) != name:
                    continue
                for fk in sorted(table.foreign_keys, key=lambda f: f.target_fullname):
                    target = fk.target_fullname.rsplit(".", 1)[0]
                    owner = ownership.owner(target)
                    if owner and owner != name:
                        _add_reason(graph, name, owner,
                                    f"foreign key {table.name}.{fk.parent.name} -> "
                                    f"{fk.target_fullname}")
        result = cls(graph)
        result.check_acyclic()
        return result

    def check_acyclic(self) -> None:
        if nx.is_directed_acyclic_graph(self.graph):
            return
        cycle = nx.find_cycle(self.graph)
        lines = [
            f"{a} -> {b} ({'; '.join(self.graph.edges[a, b]['reasons'])})" for a, b in cycle
        ]
        path = " -> ".join([cycle[0][0], *[b for _, b in cycle]])
        raise GraphCycleError(
            f"the service graph has a cycle: {path}. Edges: " + ", ".join(lines)
            + ". Break it by removing a foreign key or a depends_on declaration"
        )

    def needs(self, service: str) -> list[str]:
        return sorted(self.graph.successors(service))

    def reasons(self, service: str, needed: str) -> list[str]:
        return list(self.graph.edges[service, needed]["reasons"])

    @property
    def order(self) -> list[str]:
        """Services, each after everything it needs; ties by name."""
        return list(nx.lexicographical_topological_sort(self.graph.reverse(copy=False)))

    @property
    def rank(self) -> dict[str, int]:
        return {name: index for index, name in enumerate(self.order)}


def _add_reason(graph: nx.DiGraph, source: str, target: str, reason: str) -> None:
    if graph.has_edge(source, target):
        graph.edges[source, target]["reasons"].append(reason)
    else:
        graph.add_edge(source, target, reasons=[reason])
