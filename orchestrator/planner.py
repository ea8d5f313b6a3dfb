"""``orchestrate plan``: the whole release at a glance.

For every service: where the database stands, its heads, the pending revisions with their lint
findings, the model changes no revision holds yet (from one shared reflection, for services
whose database is at head), and what else is wrong (several heads, ownership overlaps, tables
nobody owns, a database revision missing from the code). Then the global ordered steps,
exactly what ``upgrade`` would apply. ``Plan.to_dict()`` is the payload of
``orchestrate plan --json`` (docs/json.md, docs/schemas/plan.json).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from orchestrator.autogenerate.autodetect import detect_changes
from orchestrator.core.errors import ConfigError, OfflineRenderFailed, RevisionError
from orchestrator.history.revision_graph import Node
from orchestrator.lint import LintFinding, dialect_of, lint_revisions
from orchestrator.runtime.database import connect, describe_database, sqlite_file_missing
from orchestrator.runtime.executor import Executor
from orchestrator.runtime.extensions import require_extensions
from orchestrator.runtime.ledger import Ledger
from orchestrator.runtime.ledger import steps as ledger_steps
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.partial_steps import describe_partial
from orchestrator.runtime.schemas import require_schema_support
from orchestrator.runtime.sequencer import Sequencer, Step
from orchestrator.runtime.state import DatabaseState
from orchestrator.runtime.tenants import chosen_tenants, for_tenant, per_tenant


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
    findings: list[Finding] = field(default_factory=list)
    #: Model changes no revision holds yet; None when they could not be compared.
    model_changes: list[dict] | None = None
    not_compared: str | None = None
    #: Revisions the database holds that the code does not have.
    unknown_revisions: list[str] = field(default_factory=list)
    #: The tenant whose schema this is (a per-tenant service's), else None.
    tenant: str | None = None

    @property
    def at_head(self) -> bool:
        return sorted(self.current) == sorted(self.heads)

    @property
    def status(self) -> str:
        """One word for where the service stands; ``up-to-date`` only when nothing is wrong
        with its revisions and nothing is pending (the human table shows exactly this)."""
        if self.unknown_revisions:
            return "unknown-revision"
        if len(self.heads) > 1:
            return "several-heads"
        if not self.heads:
            return "no-revisions"
        if self.pending or not self.at_head:
            return "pending"
        return "up-to-date"

    def to_dict(self) -> dict:
        return {
            "service": self.name,
            "tenant": self.tenant,
            "version_table": self.version_table,
            "current": self.current,
            "heads": self.heads,
            "at_head": self.at_head,
            "status": self.status,
            "unknown_revisions": self.unknown_revisions,
            "pending": self.pending,
            "model_changes": self.model_changes,
            "not_compared": self.not_compared,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class Plan:
    database: dict
    services: list[ServicePlan]
    steps: list[Step]
    findings: list[Finding]
    sql: str | None = None

    @property
    def all_findings(self) -> list[Finding]:
        return [*self.findings, *(f for s in self.services for f in s.findings)]

    @property
    def clean(self) -> bool:
        return not any(f.severity == "error" for f in self.all_findings)

    def summary(self) -> dict:
        found = self.all_findings
        return {
            "services": len(self.services),
            "pending_revisions": len(self.steps),
            "model_changes": sum(len(s.model_changes or []) for s in self.services),
            "errors": sum(f.severity == "error" for f in found),
            "warnings": sum(f.severity == "warning" for f in found),
        }

    def to_dict(self) -> dict:
        return {
            "database": self.database,
            "services": [s.to_dict() for s in self.services],
            "steps": [{"position": n, **s.to_dict()} for n, s in enumerate(self.steps, 1)],
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary(),
            "verdict": "clean" if self.clean else "problems",
        }


async def make_plan(orch: Orchestration, sql: bool = False,
                    sql_out: Callable[[str], None] | None = None,
                    tenant: str | None = None) -> Plan:
    """Everything ``plan`` shows; ``sql`` also renders the pending steps as one SQL script,
    each step's SQL handed to ``sql_out`` as soon as it is rendered. A revision that cannot be
    rendered offline raises :class:`OfflineRenderFailed` whose ``result`` is the plan, with
    the SQL of the steps before it.

    With per-tenant services, the plan of each chosen tenant (``tenant``; default: every
    one), joined: the shared services once, each tenant's services and steps after.
    """
    tenants = await chosen_tenants(orch, tenant)
    if not tenants:
        return await _plan(orch, sql, sql_out)
    if sql and len(tenants) > 1:
        raise ConfigError("--sql renders one tenant at a time: pass --tenant NAME")
    views = [for_tenant(orch, name) for name in tenants]
    plans = [await _plan(view, sql, sql_out) for view in views]
    tenanted = set(per_tenant(orch.workspace))
    first = plans[0]
    findings = list(dict.fromkeys(f for plan in plans for f in plan.findings))
    return Plan(
        first.database,
        [s for s in first.services if s.name not in tenanted]
        + [s for plan in plans for s in plan.services if s.name in tenanted],
        [replace(step, tenant=view.workspace.services[step.service].tenant)
         for n, (view, plan) in enumerate(zip(views, plans, strict=True))
         for step in plan.steps if n == 0 or step.service in tenanted],
        findings, sql=first.sql)


async def _plan(orch: Orchestration, sql: bool,
                sql_out: Callable[[str], None] | None) -> Plan:
    ws = orch.workspace
    require_extensions(ws.services.values())  # a hook that does not import: exit 2
    require_schema_support(ws, ws.claims, orch.url)
    state = await orch.state()
    order = orch.service_graph.order
    services = {
        name: ServicePlan(name, ws.services[name].version_table, state.heads_of(name),
                          ws.histories[name].heads, tenant=ws.services[name].tenant)
        for name in order
    }
    findings = _ownership_findings(orch, state) + _layout_findings(orch)
    for name in ws.services_without_tables:
        services[name].findings.append(Finding(
            "warning", "no-tables",
            f"service {name!r} has no tables yet: define them in {ws.services[name].models} "
            f"(a submodule), then `orchestrate generate {name} -m \"...\"`", name))
    targets = _head_targets(orch, services)
    steps: list[Step] = []
    sequenced: set[str] = set()
    known = _known_database_revisions(orch, state, services)
    if targets and known and not state.legacy:
        try:
            steps = Sequencer(orch.revision_graph, state).upgrade(targets)
            sequenced = set(targets)
        except RevisionError as error:
            findings.append(Finding("error", "cannot-sequence", error.message))
    lint = _lint_findings(orch, steps)
    for step in steps:
        rev = orch.revision_graph.revision(step.node)
        services[step.service].pending.append({
            "revision": step.revision,
            "message": step.message,
            "requires": [str(r) for r in rev.requires],
            "lint": [f.to_dict() for f in lint.get(step.node, [])],
        })
        services[step.service].findings += [
            Finding(f.severity.value, f.code, f.message, step.service)
            for f in lint.get(step.node, [])
        ]
    _unsequenced_pending(orch, state, services, sequenced)
    await _partial_steps(orch, state, services, findings)
    await _model_changes(orch, state, services, findings)
    database = describe_database(orch.url, state.exists)
    plan = Plan(database, list(services.values()), steps, findings)
    if sql:
        try:
            plan.sql = Executor(ws).render_sql(orch.url, steps, state, sql_out)
        except OfflineRenderFailed as error:
            plan.sql, error.result = error.sql, plan
            raise
    return plan


def _lint_findings(orch: Orchestration, steps: list[Step]) -> dict[Node, list[LintFinding]]:
    """Lint of every pending revision, for the dialect of the database it will run on.

    Skipped while two services claim one table: ownership rules would judge by a guess.
    """
    found: dict[Node, list[LintFinding]] = {}
    if orch.workspace.claims.overlaps:
        return found
    dialect = dialect_of(orch.url.get_backend_name())
    for finding in lint_revisions(orch, [step.node for step in steps], dialect):
        found.setdefault((finding.service, finding.revision), []).append(finding)
    return found


async def _model_changes(orch: Orchestration, state: DatabaseState,
                         services: dict[str, ServicePlan], findings: list[Finding]) -> None:
    """Pending model changes of every service whose database is at head, one reflection.

    A SQLite file that is not there yet is compared as the empty database it stands for (read,
    never created); a missing server database cannot be reflected, so nothing is compared.
    """
    comparable = state.exists or sqlite_file_missing(orch.url)
    at_head = [name for name, s in services.items() if s.at_head and comparable]
    for name, service in services.items():
        if name not in at_head:
            service.not_compared = (
                "the database is not at head yet: models are compared once it is upgraded"
                if comparable else "the database does not exist yet: models are compared "
                "once it does")
    if orch.workspace.claims.overlaps:
        for name in at_head:
            services[name].not_compared = "ownership overlap: fix it to compare the models"
        return
    if not at_head:
        return
    report = await detect_changes(orch, at_head, state=state)
    for entry in report.services:
        service = services[entry.service]
        service.model_changes = [c.to_dict() for c in entry.changes]
        if entry.changes:
            service.findings.append(Finding(
                "error", "model-changes",
                f"service {entry.service!r}: the models differ from the migrations: "
                + "; ".join(str(c) for c in entry.changes[:5])
                + (f"; and {len(entry.changes) - 5} more" if len(entry.changes) > 5 else "")
                + f". Run `orchestrate generate {entry.service} -m \"...\"`", entry.service))
        service.findings += [Finding("error", "unstable-type", u.message, entry.service)
                             for u in entry.unstable_types]


def _ownership_findings(orch: Orchestration, state: DatabaseState) -> list[Finding]:
    claims = orch.workspace.claims
    findings = [
        Finding("error", "ownership-overlap",
                f"{overlap}; keep it in one service (or restrict the other with `tables =`). "
                "Lint and model comparison wait until it is fixed")
        for overlap in claims.overlaps
    ]
    findings += [
        Finding("warning", "unowned-table",
                f"table {table!r} is in the database but owned by no service and not ignored; "
                "claim it in a service's models or add it to [tool.orchestrate] ignore")
        for table in claims.unowned(t for t in state.tables if t not in state.legacy)
    ]
    findings += [Finding("error", "unowned-model-table", message, name)
                 for name in orch.workspace.names
                 for message in orch.workspace.unowned_model_table_messages(name)]
    findings += [
        Finding("error", "legacy-version-table",
                f"table {table!r} is a version table of no service (rows: "
                f"{', '.join(rows) or 'none'}): this database was migrated by plain Alembic. "
                "Nothing can be sequenced safely until it is taken over: `orchestrate adopt "
                "--dry-run`, then `orchestrate adopt` (docs/adopting.md)")
        for table, rows in state.legacy.items()
    ]
    if orch.workspace.naming_convention_mismatch:
        findings.append(Finding("warning", "naming-convention-mismatch",
                                orch.workspace.naming_convention_mismatch))
    return findings


async def _partial_steps(orch: Orchestration, state: DatabaseState,
                         services: dict[str, ServicePlan], findings: list[Finding]) -> None:
    """A step a train left partly applied (no transactional DDL): an error until resolved."""
    if ledger_steps.name not in state.tables:
        return
    async with connect(orch.url) as connection:
        partial = await connection.run_sync(lambda c: Ledger(c).partial_steps())
    for step in partial:
        finding = Finding("error", "partial-step", describe_partial(step),
                          step.service if step.service in services else None)
        (services[step.service].findings if step.service in services else findings).append(
            finding)


def _layout_findings(orch: Orchestration) -> list[Finding]:
    return [Finding(p.severity, p.code, p.message) for p in orch.workspace.layout_problems]


def _head_targets(orch: Orchestration, services: dict[str, ServicePlan]) -> dict[str, str]:
    """Every service's single head; a service with several heads is flagged and left out."""
    targets: dict[str, str] = {}
    for name, service in services.items():
        declared = orch.workspace.services[name]
        if declared.per_tenant and declared.tenant is None:
            service.not_compared = "per tenant: no tenant declared or found yet"
            service.findings.append(Finding(
                "warning", "no-tenant",
                f"service {name!r} is per tenant and the workspace has no tenant yet "
                "(tenants = [...] or tenant_schemas = ... in [tool.orchestrate]): its "
                "revisions apply to no schema", name))
        elif len(service.heads) > 1:
            service.findings.append(Finding(
                "error", "multiple-heads",
                f"service {name!r} has {len(service.heads)} heads "
                f"({', '.join(service.heads)}); merge them with `orchestrate merge {name}`",
                name))
        elif service.heads:
            targets[name] = service.heads[0]
    return targets


def _known_database_revisions(orch: Orchestration, state: DatabaseState,
                              services: dict[str, ServicePlan]) -> bool:
    """False (with a finding) when the database is at a revision the code does not have."""
    known = True
    for name, service in services.items():
        history = orch.workspace.histories[name]
        service.unknown_revisions = [r for r in state.heads_of(name) if r not in history.revisions]
        try:
            history.applied(state.heads_of(name))
        except RevisionError as error:
            service.findings.append(Finding("error", "unknown-database-revision",
                                            error.message, name))
            known = False
    return known


def _unsequenced_pending(orch: Orchestration, state: DatabaseState,
                         services: dict[str, ServicePlan], sequenced: set[str]) -> None:
    """The revisions not applied yet of the services left out of the steps (several heads, or
    no steps at all because some service's database revision is unknown): still pending, never
    "up to date". Their lint waits until they can be sequenced."""
    for name, service in services.items():
        if name in sequenced or service.unknown_revisions:
            continue
        history = orch.workspace.histories[name]
        applied = history.applied(state.heads_of(name))
        service.pending = [
            {"revision": rev, "message": history.revisions[rev].message,
             "requires": [str(r) for r in history.revisions[rev].requires], "lint": []}
            for rev in history.order if rev not in applied
        ]
