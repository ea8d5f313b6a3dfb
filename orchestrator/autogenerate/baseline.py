"""``orchestrate generate --baseline``: each service's first revision, from its models.

The baseline of a service creates every table it owns, as Alembic's autogenerate writes them
for an empty database (each service compared with an empty snapshot of the database, so
nothing already there is left out); ``requires`` come from the foreign keys between the
baselines; keys between tables that reference each other are added once both exist
(``writer``). A service must have no revision yet: a baseline starts a history (docs/adopting.md: the old,
monolithic history is moved away first).

The database decides what happens next, checked before any file is written: a service whose
tables all exist is stamped at its new baseline (``orchestrate stamp``, under the lock,
recorded in the ledger); one with none of them is left for ``upgrade``; one with some but not
all is refused, naming them (the models do not describe that database).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from alembic.operations import ops
from alembic.util import rev_id
from sqlalchemy.engine import Connection

from orchestrator.autogenerate.autodetect import Change, compare_service, describe
from orchestrator.autogenerate.generate import relative_path
from orchestrator.autogenerate.reflection import Snapshot
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
from orchestrator.history.revisions import Requirement
from orchestrator.lint import LintFinding, lint_revisions
from orchestrator.runtime.database import connect, describe_database
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.stamp import stamp
from orchestrator.runtime.state import DatabaseState
from orchestrator.workspace.workspace import Workspace


@dataclass
class Baseline:
    service: str
    revision: str
    path: Path
    requires: list[Requirement]
    changes: list[Change]
    #: Whether the database already had every table (then it was stamped at the baseline).
    stamped: bool

    def written(self, root: Path) -> dict:
        """As ``generate`` reports a revision it wrote."""
        return {"revision": self.revision, "path": relative_path(self.path, root),
                "down_revision": [], "requires": [str(r) for r in self.requires]}


@dataclass
class BaselineResult:
    root: Path
    database: dict
    message: str
    baselines: list[Baseline] = field(default_factory=list)
    lint: list[LintFinding] = field(default_factory=list)

    def to_dict(self) -> dict:
        """``generate``'s payload (docs/json.md), plus ``stamped``: the services stamped at
        their baseline because the database had their tables already."""
        return {
            "database": self.database, "message": self.message,
            "services": [{"service": b.service, "written": b.written(self.root),
                          "changes": [c.to_dict() for c in b.changes]} for b in self.baselines],
            "lint": [f.to_dict() for f in self.lint],
            "stamped": [b.service for b in self.baselines if b.stamped],
        }


async def generate_baseline(orch: Orchestration, services: list[str] | None = None, *,
                            message: str = "baseline", dialect: str | None = None
                            ) -> BaselineResult:
    """Write each named service's (default: all) baseline; stamp it where its tables exist."""
    ws = orch.workspace
    chosen = [s.name for s in ws.select(services)]
    for name in chosen:
        ws.services[name].require_writable()
    orch.check_configuration()
    state = await orch.state()
    present = _check_database(orch, chosen, state)
    async with connect(orch.url) as connection:
        scripts = await connection.run_sync(_compare_with_nothing, ws, chosen)
    planned = {
        name: PlannedRevision(
            name, rev_id(), (), created_tables(script.upgrade_ops),
            new_foreign_keys(script.upgrade_ops), enums=used_enums(script.upgrade_ops),
            creates_enums=created_enums(script.upgrade_ops))
        for name, script in scripts.items()
    }
    resolve_requirements(planned, ws.histories, ws.ownership, [], [])
    result = BaselineResult(ws.root, describe_database(orch.url, state.exists), message)
    try:
        for name, plan in planned.items():
            path = write_revision(ws.services[name], ws.metadata[name], ws.ownership,
                                  dialect or orch.url.get_backend_name(),
                                  revision=plan.revision, message=message,
                                  script=scripts[name], requires=plan.requires)
            result.baselines.append(Baseline(name, plan.revision, path, plan.requires,
                                             describe(scripts[name].upgrade_ops),
                                             present[name]))
    except BaseException:
        for done in result.baselines:  # all or nothing
            done.path.unlink(missing_ok=True)
        raise
    reread = Orchestration(Workspace.load(ws.root), orch.url)
    result.lint = lint_revisions(reread, [(b.service, b.revision) for b in result.baselines])
    to_stamp = {b.service: b.revision for b in result.baselines if b.stamped}
    if to_stamp:
        await stamp(reread, to_stamp)
    return result


def _check_database(orch: Orchestration, chosen: list[str], state: DatabaseState
                    ) -> dict[str, bool]:
    """Per service, whether the database has all its tables (False: none); refused when a
    service has revisions or version rows already, or only some of its tables exist."""
    ws = orch.workspace
    tables = {t.lower() for t in state.tables}
    reasons: list[str] = []
    present: dict[str, bool] = {}
    for name in chosen:
        history = ws.histories[name]
        if history.revisions:
            reasons.append(
                f"service {name!r} already has {len(history.revisions)} revision(s) in "
                f"{ws.services[name].versions_dir}: a baseline is a service's first revision "
                "(move the old history away first: docs/adopting.md)")
        if state.heads_of(name):
            reasons.append(
                f"service {name!r}: {ws.services[name].version_table} already holds "
                f"{', '.join(state.heads_of(name))}")
        owned = sorted(ws.ownership.tables_of(name))
        found = [t for t in owned if t.rpartition(".")[2].lower() in tables]
        if found and len(found) < len(owned):
            reasons.append(
                f"service {name!r}: the database has {', '.join(found)} but not "
                f"{', '.join(t for t in owned if t not in found)}: the models do not describe "
                "this database; bring them in line (or baseline against an empty database)")
        present[name] = bool(found)
    if reasons:
        raise GenerationRefused("nothing was written: " + "\n".join(reasons))
    return present


def _compare_with_nothing(connection: Connection, ws: Workspace, names: list[str]
                          ) -> dict[str, ops.MigrationScript]:
    """Each service's models compared with an empty database: every table it owns created."""
    empty = Snapshot(connection.dialect.name, [], enums=[])
    return {name: compare_service(connection, ws.services[name], ws.metadata[name],
                                  ws.ownership, empty)
            for name in names}
