"""Build the global revision DAG and sequence an upgrade from an empty database, against
loading the same histories with Alembic's ``ScriptDirectory`` alone.

orchestrate, in-process, a fresh ``Workspace`` each repetition, from reading the revision files
to the ordered steps:
  histories    read every service's revision files (identifiers from the source text)
  DAG + order  the global revision DAG (down_revision + requires) and the upgrade's steps
  services     the service graph, whose rank breaks ties in the order; it imports every
               service's models (which ``upgrade`` needs anyway to run the revisions)
Alembic, side by side in the same run: ``ScriptDirectory.from_config`` and ``walk_revisions``
for each service (it imports every revision module), i.e. only reading the histories, with
no cross-service order at all.

    python -m benchmarks.graph_bench                      # 100 services x 100 revisions
    python -m benchmarks.graph_bench --services 20 --revisions 50 --repeat 3
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from alembic.script import ScriptDirectory

from benchmarks.synthetic import build
from orchestrator.history.revision_graph import RevisionGraph
from orchestrator.runtime.sequencer import Sequencer
from orchestrator.runtime.state import DatabaseState
from orchestrator.workspace.service_graph import ServiceGraph
from orchestrator.workspace.workspace import Workspace


def orchestrate_once(root: Path) -> dict[str, float]:
    """One cold run: phases timed separately; returns seconds per phase (and the total)."""
    times: dict[str, float] = {}
    started = time.perf_counter()
    workspace = Workspace.load(root)
    histories = workspace.histories
    times["histories"] = time.perf_counter() - started

    mark = time.perf_counter()
    rank = ServiceGraph.build(workspace.services, workspace.metadata, workspace.ownership).rank
    times["services"] = time.perf_counter() - mark

    mark = time.perf_counter()
    graph = RevisionGraph.build(histories, rank)
    steps = Sequencer(graph, DatabaseState(heads={})).upgrade()
    times["DAG + order"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - started
    _check(graph, steps, sum(len(h.revisions) for h in histories.values()))
    return times


def _check(graph: RevisionGraph, steps: list, expected: int) -> None:
    """The steps are every revision, each after all it needs: a benchmark of a wrong answer
    is worthless."""
    position = {step.node: index for index, step in enumerate(steps)}
    assert len(position) == expected, (len(position), expected)
    for parent, child in graph.graph.edges:
        assert position[parent] < position[child], (parent, child)


def alembic_once(root: Path) -> dict[str, float]:
    started = time.perf_counter()
    count = 0
    for service in Workspace.load(root).services.values():
        script = ScriptDirectory.from_config(service.alembic_config())
        count += sum(1 for _ in script.walk_revisions())
    return {"total": time.perf_counter() - started, "revisions": count}


def measure(fn: Callable[[Path], dict[str, float]], root: Path, repeat: int) -> dict[str, float]:
    runs = [fn(root) for _ in range(repeat)]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--revisions", type=int, default=100)
    parser.add_argument("--tables", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--root", type=Path, default=None,
                        help="Build the workspace here (default: a temporary folder).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="graph-bench-") as tmp:
        root = args.root or Path(tmp) / "ws"
        build(root, args.services, args.tables, args.revisions)
        total = args.services * args.revisions
        print(f"workspace: {args.services} services x {args.revisions} revisions "
              f"({total} revisions, {args.services * args.tables} tables), "
              f"median of {args.repeat}, after one warm-up run each")
        orchestrate_once(root)
        alembic_once(root)  # warm-up: both sides start from compiled bytecode
        ours = measure(orchestrate_once, root, args.repeat)
        theirs = measure(alembic_once, root, args.repeat)
        assert theirs["revisions"] == total
        graph_only = ours["histories"] + ours["DAG + order"]
        print(f"  orchestrate  histories          {ours['histories']:8.3f} s")
        print(f"  orchestrate  DAG + order        {ours['DAG + order']:8.3f} s")
        print(f"  orchestrate  service graph      {ours['services']:8.3f} s  (imports models)")
        print(f"  orchestrate  total              {ours['total']:8.3f} s")
        print(f"  Alembic      ScriptDirectory    {theirs['total']:8.3f} s  (histories only)")
        print(f"ratio orchestrate / Alembic: files -> ordered steps "
              f"{graph_only / theirs['total']:.2f}x, including the service graph "
              f"{ours['total'] / theirs['total']:.2f}x")


if __name__ == "__main__":
    main()
