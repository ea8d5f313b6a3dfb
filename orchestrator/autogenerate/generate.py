"""``orchestrate generate``: one revision per service whose models changed, all at once.

1. :func:`detect_changes` compares every named service from one shared reflection.
2. Anything that would make a generated revision wrong is refused before a file is written:
   a database not at its head, several heads, a hand-altered database (drift), a custom type
   whose repr is unstable.
3. Each changed service gets a revision id; ``requires`` are inferred from the new foreign keys
   (:mod:`orchestrator.autogenerate.requirements`). Models whose foreign keys make a cycle of services are
   refused up front, with the foreign keys: new ``requires`` cannot close a cycle otherwise.
4. The revisions are written through Alembic (:mod:`orchestrator.autogenerate.writer`), then linted
   (for PostgreSQL, the production target, like ``orchestrate lint``): autogenerate is a
   starting point, and the findings say what to review before committing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from alembic.util import rev_id

from orchestrator.autogenerate.autodetect import (
    ChangeReport,
    ServiceChanges,
    detect_changes,
)
from orchestrator.autogenerate.requirements import (
    PlannedRevision,
    created_enums,
    created_tables,
    new_foreign_keys,
    resolve_requirements,
    used_enums,
)
from orchestrator.autogenerate.writer import write_revision
from orchestrator.core.errors import GenerationRefused
from orchestrator.core.logs import get_logger
from orchestrator.history.revisions import Requirement
from orchestrator.lint import LintFinding, lint_revisions
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.workspace.workspace import Workspace

log = get_logger()


@dataclass
class WrittenRevision:
    service: str
    revision: str
    path: Path
    down_revisions: tuple[str, ...]
    requires: list[Requirement]
    changes: ServiceChanges

    def to_dict(self, root: Path) -> dict:
        return {
            "revision": self.revision,
            "path": relative_path(self.path, root),
            "down_revision": list(self.down_revisions),
            "requires": [str(r) for r in self.requires],
        }


@dataclass
class GenerateResult:
    root: Path
    message: str
    report: ChangeReport
    written: list[WrittenRevision] = field(default_factory=list)
    lint: list[LintFinding] = field(default_factory=list)

    @property
    def nodes(self) -> list[tuple[str, str]]:
        """The revisions written, as revision-DAG nodes: what ``orchestrate lint`` reviews."""
        return [(w.service, w.revision) for w in self.written]

    def written_for(self, service: str) -> WrittenRevision | None:
        return next((w for w in self.written if w.service == service), None)

    def to_dict(self) -> dict:
        services = []
        for entry in self.report.services:
            written = self.written_for(entry.service)
            services.append({
                "service": entry.service,
                "written": written.to_dict(self.root) if written else None,
                "changes": [c.to_dict() for c in entry.changes],
            })
        return {"database": self.report.database,
                "message": self.message, "services": services,
                "lint": [f.to_dict() for f in self.lint]}


async def generate(orch: Orchestration, services: list[str] | None = None, *, message: str,
                   allow_empty: bool = False, dialect: str | None = None) -> GenerateResult:
    """Write one revision for each named service (default: all) whose models changed.

    The revisions are rendered for ``dialect`` (default: the compared database's): types,
    defaults and batch mode for the production target, whatever database was compared.
    """
    ws = orch.workspace
    for service in ws.select(services):  # where the files go, before the database is read
        service.require_writable()
    orch.service_graph  # foreign keys making a cycle of services: refused, explained
    report = await detect_changes(orch, services, drift=True, scripts=True)
    refuse_unsafe(report)
    histories = ws.histories
    planned: dict[str, PlannedRevision] = {}
    for entry in report.services:
        if not entry.changes and not allow_empty:
            continue
        assert entry.script is not None
        upgrade_ops = entry.script.upgrade_ops
        planned[entry.service] = PlannedRevision(
            # the id the comparison handed out (a process_revision_directives hook may set it)
            entry.service, entry.script.rev_id or rev_id(),
            tuple(histories[entry.service].heads), created_tables(upgrade_ops), new_foreign_keys(upgrade_ops),
            enums=used_enums(upgrade_ops), creates_enums=created_enums(upgrade_ops))
    resolve_requirements(planned, histories, ws.ownership, report.snapshot.table_names,
                         [enum["name"] for enum in report.snapshot.enums or []])
    result = GenerateResult(ws.root, message, report)
    try:
        for name, plan in planned.items():
            entry = report[name]
            assert entry.script is not None
            path = write_revision(ws.services[name], ws.metadata[name], ws.ownership,
                                  dialect or orch.url.get_backend_name(),
                                  revision=plan.revision,
                                  message=message, script=entry.script, requires=plan.requires)
            result.written.append(WrittenRevision(name, plan.revision, path,
                                                  plan.down_revisions, plan.requires, entry))
    except BaseException:
        for done in result.written:  # all or nothing: no half of a cross-service change
            done.path.unlink(missing_ok=True)
        raise
    for done in result.written:
        log.info("revision written", service=done.service, revision=done.revision,
                 path=relative_path(done.path, ws.root), operations=len(done.changes.changes))
    if result.written:  # the new files are read afresh, as `orchestrate lint` would
        reread = Orchestration(Workspace.load(ws.root), orch.url)
        result.lint = lint_revisions(reread, result.nodes)
    return result


def refuse_unsafe(report: ChangeReport) -> None:
    """Raise before anything is written when a revision generated now could be wrong."""
    report.require_comparable("generate")
    reasons: list[str] = []
    for entry in report.services:
        if len(entry.heads) > 1:
            reasons.append(
                f"service {entry.service!r} has {len(entry.heads)} heads "
                f"({', '.join(entry.heads)}); a new revision needs one parent. Merge them "
                f"first: `orchestrate merge {entry.service}`")
        reasons += [u.message for u in entry.unstable_types]
    drift = [d.message for entry in report.services for d in entry.drift]
    if drift:
        reasons.append(
            "the database was altered outside the migrations: " + "; ".join(drift)
            + ". A revision generated now would not reproduce that on databases migrated "
            "properly: write it into a revision (or undo it in the database) first")
    if reasons:
        raise GenerationRefused("refusing to generate: " + " | ".join(reasons))


def relative_path(path: Path, root: Path) -> str:
    """``path`` relative to the workspace ``root`` when inside it (what reports show)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
