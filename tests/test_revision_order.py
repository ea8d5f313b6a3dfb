"""The global order, through the library: valid, deterministic, ties broken as documented."""
from __future__ import annotations

import random

import networkx as nx
from workspaces import MiniWorkspace, create

from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import Sequencer
from orchestrator.runtime.state import DatabaseState


def upgrade_order(root, targets=None) -> list[str]:
    graph = Orchestration.open(root).revision_graph
    return [f"{s.service}:{s.revision}"
            for s in Sequencer(graph, DatabaseState(heads={})).upgrade(targets)]


def test_ties_go_by_service_graph_rank_before_service_name(tmp_path):
    ws = MiniWorkspace(tmp_path / "ws")
    ws.service("alpha", {"alpha": "zeta.id"})  # alpha needs zeta: zeta ranks first
    ws.service("beta", {"beta": None})
    ws.service("zeta", {"zeta": None})
    ws.revision("alpha", "a1", ops=[create("alpha", "zeta.id")])
    ws.revision("alpha", "a2", "a1")
    ws.revision("beta", "b1", ops=[create("beta")])
    ws.revision("zeta", "z1", ops=[create("zeta")])
    ws.revision("zeta", "z2", "z1")
    # no `requires` at all: only the service graph keeps alpha after zeta
    assert upgrade_order(ws.root) == ["beta:b1", "zeta:z1", "zeta:z2", "alpha:a1", "alpha:a2"]


def test_order_matches_networkx_and_respects_every_edge_on_random_histories(tmp_path):
    rng = random.Random(20260101)
    ws = MiniWorkspace(tmp_path / "ws")
    names = ["s1", "s2", "s3", "s4", "s5"]
    for name in names:
        ws.service(name, {f"{name}_t": None})
    made: list[tuple[str, str]] = []
    for index in range(60):
        name = rng.choice(names)
        own = [rev for service, rev in made if service == name]
        down = None
        if own:
            down = rng.sample(own, k=min(len(own), rng.choice([1, 1, 1, 2])))
            down = down[0] if len(down) == 1 else down
        others = [f"{s}:{r}" for s, r in made if s != name]
        requires = rng.sample(others, k=min(len(others), rng.choice([0, 0, 1, 2])))
        rev = f"{name}r{index:02d}"
        ws.revision(name, rev, down, requires=requires)
        made.append((name, rev))
    graph = Orchestration.open(ws.root).revision_graph
    expected = list(nx.lexicographical_topological_sort(graph.graph, key=graph.sort_key))
    assert graph.order == expected
    position = {node: index for index, node in enumerate(graph.order)}
    assert all(position[a] < position[b] for a, b in graph.graph.edges)
    every_branch = dict.fromkeys(names, "heads")
    assert upgrade_order(ws.root, every_branch) == [f"{s}:{r}" for s, r in expected]
