"""``orchestrate train plan``: a train's ordered steps, and the lint findings of each step."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from orchestrator.history.revision_graph import Node
from orchestrator.lint import DIALECTS, LintFinding, lint_revisions
from orchestrator.runtime.database import describe_database
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import Step
from orchestrator.trains.manifest import TrainManifest, load_manifest, train_steps


def lint_findings(orch: Orchestration, nodes: Sequence[Node]) -> dict[Node, list[LintFinding]]:
    """Each step's lint findings, for the dialect of the database the train runs on."""
    found: dict[Node, list[LintFinding]] = {node: [] for node in nodes}
    dialect = orch.url.get_backend_name()
    for finding in lint_revisions(orch, nodes, dialect if dialect in DIALECTS else None):
        found[(finding.service, finding.revision)].append(finding)
    return found


@dataclass
class TrainPlan:
    manifest: TrainManifest
    database: dict[str, Any]
    steps: list[Step]
    findings: dict[Node, list[LintFinding]]

    @property
    def clean(self) -> bool:
        """No lint error in any step (warnings do not fail the plan)."""
        return not any(f.is_error for found in self.findings.values() for f in found)

    def to_dict(self) -> dict[str, Any]:
        return {
            "train": self.manifest.to_dict(),
            "database": self.database,
            "steps": [{"position": index, **step.to_dict(),
                       "findings": [f.to_dict() for f in self.findings[step.node]]}
                      for index, step in enumerate(self.steps, 1)],
            "verdict": "clean" if self.clean else "problems",
        }


async def plan_train(orch: Orchestration, name: str) -> TrainPlan:
    """What ``train run NAME`` would apply to this database now, in order, with findings."""
    ws = orch.workspace
    manifest = load_manifest(ws.settings, name, ws.histories)
    state = await orch.state()
    steps = train_steps(manifest, orch.revision_graph, state)
    database = describe_database(orch.url, state.exists)
    return TrainPlan(manifest, database, steps, lint_findings(orch, [s.node for s in steps]))
