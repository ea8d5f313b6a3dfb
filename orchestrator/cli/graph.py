"""``orchestrate graph``: the service graph or the revision DAG as text, DOT, Mermaid or JSON.

Both graphs are drawn the same way round: an arrow ``A -> B`` reads "A needs B" (orders needs
users; ``orders:b7e3`` requires ``users:3f2a``; a revision needs its down revisions). Every edge
says why it exists: the foreign keys or ``depends_on`` declaration behind a service edge, the
kind (``down_revision``, ``depends_on`` or ``requires``) of a revision edge.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from orchestrator.cli.app import Output, global_options, main
from orchestrator.cli.render import display_path, table
from orchestrator.core.errors import ConfigError

if TYPE_CHECKING:
    from rich.table import Table

    from orchestrator.history.revision_graph import Node
    from orchestrator.runtime.orchestration import Orchestration

#: ``json`` is the envelope of ``--json`` (docs/json.md); the others are drawn for people.
FORMATS = ("text", "dot", "mermaid", "json")


@dataclass(frozen=True)
class GraphNode:
    id: str
    group: str  # the service
    label: str  # shown next to the id: a revision's message
    details: dict

    def to_dict(self) -> dict:
        return {"id": self.id, **self.details}


@dataclass(frozen=True)
class GraphEdge:
    source: str  # needs...
    target: str  # ...this
    kind: str
    reasons: tuple[dict, ...] = ()  # a service edge's foreign keys and declarations

    @property
    def labels(self) -> list[str]:
        return [reason["text"] for reason in self.reasons]

    def to_dict(self) -> dict:
        data: dict = {"source": self.source, "target": self.target, "kind": self.kind}
        if self.reasons:
            data["reasons"] = list(self.reasons)
        return data


@dataclass(frozen=True)
class GraphView:
    """Nodes in the order they are applied, edges sorted: the same inputs print the same."""

    name: str  # "services" or "revisions"
    nodes: list[GraphNode]
    edges: list[GraphEdge]

    def render(self, fmt: str) -> Any:
        """``text``: a table (a rich renderable); ``dot``, ``mermaid``: the source text."""
        return _RENDERERS[fmt](self)

    def to_dict(self) -> dict:
        return {"graph": self.name, "direction": "source needs target",
                "nodes": [n.to_dict() for n in self.nodes],
                "edges": [e.to_dict() for e in self.edges]}


def service_graph_view(orch: Orchestration) -> GraphView:
    graph = orch.service_graph
    nodes = [GraphNode(name, name, "", {"service": name, "rank": rank,
                                        "needs": graph.needs(name)})
             for name, rank in graph.rank.items()]
    edges = []
    for source in graph.order:
        for target in graph.needs(source):
            reasons = graph.reasons(source, target)
            kind = "+".join(sorted({r.kind for r in reasons}))
            edges.append(GraphEdge(source, target, kind, tuple(r.to_dict() for r in reasons)))
    return GraphView("services", nodes, edges)


def revision_graph_view(orch: Orchestration) -> GraphView:
    graph = orch.revision_graph
    order = graph.order
    nodes = []
    for index, node in enumerate(order):
        rev = graph.revision(node)
        nodes.append(GraphNode(_id(node), node[0], rev.message, {
            "service": node[0], "revision": node[1], "order": index,
            "message": rev.message, "path": display_path(rev.path, orch.workspace.root),
        }))
    position = {node: index for index, node in enumerate(order)}
    edges = [
        GraphEdge(_id(child), _id(parent), graph.kind(parent, child))
        for parent, child in sorted(graph.graph.edges,
                                    key=lambda e: (position[e[1]], position[e[0]]))
    ]
    return GraphView("revisions", nodes, edges)


def _id(node: Node) -> str:
    return f"{node[0]}:{node[1]}"


def to_text(view: GraphView) -> Table:
    from orchestrator.history.revision_graph import DEPENDS_ON, DOWN_REVISION, REQUIRES

    needs: dict[str, list[GraphEdge]] = {}
    for edge in view.edges:
        needs.setdefault(edge.source, []).append(edge)
    if view.name == "services":
        rows = []
        for node in view.nodes:
            edges = needs.get(node.id, [])
            rows.append([node.id, edges[0].target if edges else "(nothing)",
                         "; ".join(edges[0].labels) if edges else ""])
            rows += [["", e.target, "; ".join(e.labels)] for e in edges[1:]]
        return table(["service", "needs", "because"], rows)
    rows = []
    for node in view.nodes:
        by_kind: dict[str, list[str]] = {}
        for edge in needs.get(node.id, []):
            target = edge.target if edge.kind == REQUIRES else edge.target.partition(":")[2]
            by_kind.setdefault(edge.kind, []).append(target)
        rows.append([node.id, ", ".join(by_kind.get(DOWN_REVISION, [])) or "(base)",
                     ", ".join(by_kind.get(DEPENDS_ON, [])),
                     ", ".join(by_kind.get(REQUIRES, [])), node.label])
    return table(["revision", "down_revision", "depends_on", "requires", "message"], rows)


def to_dot(view: GraphView) -> str:
    from orchestrator.history.revision_graph import DEPENDS_ON, DOWN_REVISION, REQUIRES

    style = {DOWN_REVISION: "", DEPENDS_ON: ", style=dotted",
             REQUIRES: ", style=dashed, color=blue, fontcolor=blue"}
    lines = [f"digraph {view.name} {{", "  rankdir=LR;", "  node [shape=box];"]
    groups: dict[str, list[GraphNode]] = {}
    for node in view.nodes:
        groups.setdefault(node.group, []).append(node)
    for group, members in groups.items():
        indent = "  "
        if view.name == "revisions":
            lines += [f"  subgraph {_dot_quote('cluster_' + group)} {{",
                      f"    label={_dot_quote(group)};"]
            indent = "    "
        for node in members:
            label = f"{node.id}\n{node.label}" if node.label else node.id
            lines.append(f"{indent}{_dot_quote(node.id)} [label={_dot_quote(label)}];")
        if view.name == "revisions":
            lines.append("  }")
    for edge in view.edges:
        label = "\n".join(edge.labels) if edge.reasons else (
            edge.kind if edge.kind != DOWN_REVISION else "")
        attrs = f"label={_dot_quote(label)}" + style.get(edge.kind, "")
        lines.append(f"  {_dot_quote(edge.source)} -> {_dot_quote(edge.target)} [{attrs}];")
    lines.append("}")
    return "\n".join(lines)


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_mermaid(view: GraphView) -> str:
    from orchestrator.history.revision_graph import DEPENDS_ON, DOWN_REVISION, REQUIRES

    arrows = {DOWN_REVISION: "-->", DEPENDS_ON: "-.->", REQUIRES: "==>"}
    ids = {node.id: f"n{index}" for index, node in enumerate(view.nodes)}
    lines = ["flowchart LR"]
    groups: dict[str, list[GraphNode]] = {}
    for node in view.nodes:
        groups.setdefault(node.group, []).append(node)
    for group, members in groups.items():
        if view.name == "revisions":
            lines.append(f'  subgraph g_{group} ["{_mermaid_text(group)}"]')
        for node in members:
            label = "<br/>".join(_mermaid_text(t) for t in (node.id, node.label) if t)
            lines.append(f'  {ids[node.id]}["{label}"]')
        if view.name == "revisions":
            lines.append("  end")
    for edge in view.edges:
        label = "<br/>".join(map(_mermaid_text, edge.labels)) if edge.reasons else (
            edge.kind if edge.kind != DOWN_REVISION else "")
        arrow = arrows.get(edge.kind, "-->")
        text = f'|"{label}"|' if label else ""
        lines.append(f"  {ids[edge.source]} {arrow}{text} {ids[edge.target]}")
    return "\n".join(lines)


def _mermaid_text(text: str) -> str:
    """Mermaid labels are double-quoted strings: quotes and markup become entity codes."""
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text


_RENDERERS: dict[str, Callable[[GraphView], Any]] = {
    "text": to_text, "dot": to_dot, "mermaid": to_mermaid,
}


@main.command()
@click.option("--revisions", is_flag=True,
              help="The global revision DAG instead of the service graph.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Output format (json: as --json).")
def graph(orch: Orchestration, revisions: bool, fmt: str) -> Output:
    """The service graph, or with --revisions the revision DAG; A -> B reads "A needs B".

    Service edges name the foreign keys and depends_on declarations behind them; revision
    edges are down_revision, depends_on or (across services) requires.
    """
    if global_options().json and fmt not in ("text", "json"):
        raise ConfigError(f"--json and --format {fmt} ask for two outputs: choose one")
    view = revision_graph_view(orch) if revisions else service_graph_view(orch)
    return Output(view.to_dict(), human=lambda: view.render(fmt), force_json=fmt == "json")
