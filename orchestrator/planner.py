"""``orchestrate plan``: for every service where it stands and what is pending, then the steps."""
from __future__ import annotations

from dataclasses import dataclass, field

from orchestrator.database import redact
from orchestrator.errors import RevisionError
from orchestrator.orchestration import Orchestration
from orchestrator.sequencer import Sequencer, Step

PLAN_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    code: str
    message: str
    service: str | None = None

    def to_dict(self) -> dict:
        return {"severity": self.severity, "code": self.code, "service": self.service,
                "message": self.message}


@dataclass
class ServicePlan:
    name: str
    version_table: str
    current: list[str]
    heads: list[str]
    pending: list[dict] = field(default_factory=list)

    @property
    def at_head(self) -> bool:
        return sorted(self.current) == sorted(self.heads)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "version_table": self.version_table,
            "current": self.current,
            "heads": self.heads,
            "at_head": self.at_head,
            "pending": self.pending,
        }


@dataclass
class Plan:
    database: dict
    services: list[ServicePlan]
    steps: list[Step]
    findings: list[Finding]

    @property
    def clean(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def to_dict(self) -> dict:
        return {
            "schema_version": PLAN_SCHEMA_VERSION,
            "database": self.database,
            "services": [s.to_dict() for s in self.services],
            "steps": [s.to_dict() for s in self.steps],
            "findings": [f.to_dict() for f in self.findings],
            "verdict": "clean" if self.clean else "problems",
        }


async def make_plan(orch: Orchestration) -> Plan:
    ws = orch.workspace
    graph = orch.revision_graph
    state = await orch.state()
    findings: list[Finding] = []
    targets: dict[str, str | None] = {}
    for name in orch.service_graph.order:
        heads = ws.histories[name].heads
        if len(heads) > 1:
            findings.append(Finding(
                "error", "multiple-heads",
                f"service {name!r} has {len(heads)} heads ({', '.join(heads)}); merge them "
                f"with `orchestrate merge {name}`", name))
        elif heads:
            targets[name] = heads[0]
    for table in ws.ownership.unowned(state.tables):
        findings.append(Finding(
            "warning", "unowned-table",
            f"table {table!r} is in the database but owned by no service and not ignored; "
            "claim it in a service's models or add it to [tool.orchestrate] ignore"))
    steps: list[Step] = []
    try:
        steps = Sequencer(graph, state).upgrade(targets)
    except RevisionError as error:
        findings.append(Finding("error", "cannot-sequence", error.message))
    pending: dict[str, list[dict]] = {}
    for step in steps:
        rev = graph.revision(step.node)
        pending.setdefault(step.service, []).append({
            "revision": step.revision,
            "message": step.message,
            "requires": [str(r) for r in rev.requires],
        })
    services = [
        ServicePlan(
            name=name,
            version_table=ws.services[name].version_table,
            current=state.heads_of(name),
            heads=ws.histories[name].heads,
            pending=pending.get(name, []),
        )
        for name in orch.service_graph.order
    ]
    database = {"url": redact(orch.url), "dialect": orch.url.get_backend_name(),
                "exists": state.exists}
    return Plan(database, services, steps, findings)
