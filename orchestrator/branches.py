"""Branches per service: ``orchestrate heads`` (the CI gate) and ``orchestrate merge``.

Two developers who generate from the same head of one service leave it with two heads, and
plain ``alembic upgrade head`` fails with "Multiple head revisions". :func:`find_heads` finds
them from the revision files alone (no database, no models imported); :func:`merge` first
compares what the branches do (:mod:`orchestrator.history.conflicts`) and, when they do not
collide, writes the merge revision with Alembic's own writer and the service's
``script.py.mako``.

The merge revision carries no ``requires`` of its own: it builds on every head, so every
branch revision, and every other service's revision a branch revision requires, is already
its ancestor in the global revision DAG and comes before it.
"""
from __future__ import annotations

import subprocess
from argparse import Namespace
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import networkx as nx
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError as AlembicRevisionError
from alembic.util import CommandError, rev_id

from orchestrator.core.errors import OrchestrateError, RevisionError
from orchestrator.core.logs import get_logger
from orchestrator.history.conflicts import Conflict, Unread, analyse_conflicts
from orchestrator.history.revisions import ServiceHistory
from orchestrator.runtime.orchestration import Orchestration

log = get_logger()

__all__ = ["Conflict", "Head", "MergeConflict", "MergeResult", "ServiceHeads",
           "analyse_conflicts", "find_heads", "merge", "merge_services"]


@dataclass(frozen=True)
class Head:
    revision: str
    message: str
    create_date: str | None  # the revision's "Create Date:"
    path: str  # relative to the workspace
    branch: list[str]  # revisions since the branch point, base first, ending with this head
    git_author_date: str | None = None  # of the head's file; None without git history

    def to_dict(self) -> dict:
        return {"revision": self.revision, "message": self.message,
                "create_date": self.create_date, "git_author_date": self.git_author_date,
                "path": self.path, "branch": self.branch}


@dataclass
class ServiceHeads:
    service: str
    heads: list[Head]
    branch_points: list[str]  # the latest revisions every head builds on; empty: from base

    @property
    def forked(self) -> bool:
        return len(self.heads) > 1

    def to_dict(self) -> dict:
        return {"service": self.service, "forked": self.forked,
                "heads": [h.to_dict() for h in self.heads],
                "branch_points": self.branch_points}


@dataclass
class MergeResult:
    service: str
    heads: list[str]
    revision: str | None = None  # None: nothing to merge
    path: Path | None = None
    warnings: list[Conflict | Unread] = field(default_factory=list)

    def to_dict(self, root: Path) -> dict:
        return {"service": self.service, "heads": self.heads, "revision": self.revision,
                "path": _relative(self.path, root) if self.path else None,
                "warnings": [w.to_dict() for w in self.warnings]}


class MergeConflict(OrchestrateError):
    """The branches collide; no merge revision was written (exit 1: a problem in the code)."""

    exit_code = 1

    def __init__(self, conflicts: list[Conflict | Unread]) -> None:
        lines = [f"refusing to merge, nothing was written: {len(conflicts)} conflict(s) "
                 "between branches"]
        for number, conflict in enumerate(conflicts, 1):
            if isinstance(conflict, Conflict):
                what, operations, fix = conflict.explained()
                lines += [f"({number}) {what}", *(f"    {op}" for op in operations),
                          f"    {fix}"]
            else:
                lines.append(f"({number}) {conflict.message}")
        super().__init__("\n".join(lines))
        self.conflicts = conflicts


def find_heads(orch: Orchestration, services: Sequence[str] | None = None) -> list[ServiceHeads]:
    """Every (named) service's heads, with their branches when it has several."""
    ws = orch.workspace
    found = [_service_heads(ws.histories[s.name], ws.root) for s in ws.select(services)]
    forked = [report for report in found if report.forked]
    dates = git_author_dates(ws.root, [h.path for r in forked for h in r.heads])
    for report in forked:
        report.heads[:] = [replace(h, git_author_date=dates.get(h.path)) for h in report.heads]
    return found


def _service_heads(history: ServiceHistory, root: Path) -> ServiceHeads:
    heads = history.heads
    reach = {h: nx.ancestors(history.graph, h) | {h} for h in heads}
    common = set.intersection(*reach.values()) if heads else set()
    # common is closed under ancestors: its latest revisions have no child in it
    points = [r for r in history.order if r in common
              and not any(child in common for child in history.graph.successors(r))]
    listed = [
        Head(revision=rev.revision, message=rev.message, create_date=rev.create_date,
             path=_relative(rev.path, root),
             branch=[r for r in history.order if r in reach[rev.revision] - common])
        for rev in (history.revisions[head] for head in heads)
    ]
    return ServiceHeads(history.name, listed, points)


def git_author_dates(root: Path, paths: Sequence[str]) -> dict[str, str]:
    """ISO author date of the last commit touching each path (relative to ``root``), in one
    ``git log``; paths outside git history, or no git at all, are simply left out."""
    if not paths:
        return {}
    try:
        done = subprocess.run(
            ["git", "log", "--format=%x00%aI", "--name-only", "--relative", "--", *paths],
            cwd=root, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return {}
    if done.returncode != 0:
        return {}
    wanted, dates = set(paths), {}
    for commit in done.stdout.split("\0")[1:]:
        date, *names = commit.strip().splitlines()
        for name in names:
            if name in wanted and name not in dates:
                dates[name] = date
    return dates


def merge(orch: Orchestration, service: str, message: str | None = None) -> MergeResult:
    """Merge ``service``'s heads into one revision; refused (nothing written) on conflicts."""
    return merge_services(orch, [service], message)[0]


def merge_services(orch: Orchestration, services: Sequence[str] | None = None,
                   message: str | None = None) -> list[MergeResult]:
    """Merge every named service (all when none are named) that has several heads.

    Every service is analysed before any file is written: one conflict anywhere refuses all.
    """
    ws = orch.workspace
    results: list[MergeResult] = []
    errors: list[Conflict | Unread] = []
    for service in ws.select(services):
        history = ws.histories[service.name]
        result = MergeResult(service.name, list(history.heads))
        for conflict in analyse_conflicts(history, ws.root):
            (errors if conflict.severity == "error" else result.warnings).append(conflict)
        results.append(result)
    if errors:
        raise MergeConflict(errors)
    forked = [r for r in results if len(r.heads) > 1]
    for result in forked:  # every template and folder there before any file is written
        ws.service(result.service).require_writable()
    for result in forked:
        history = ws.histories[result.service]
        result.revision, result.path = _write_merge(history, result.heads, message)
        log.info("merge revision written", service=result.service,
                 revision=result.revision, heads=result.heads,
                 path=_relative(result.path, ws.root))
    return results


def _write_merge(history: ServiceHistory, heads: list[str],
                 message: str | None) -> tuple[str, Path]:
    """Alembic's own writer: the service's ``script.py.mako``, ``down_revision`` = the heads."""
    config = history.service.alembic_config()
    config.cmd_opts = Namespace(quiet=True)  # no "Generating ..." on stdout: results go there
    try:
        script = ScriptDirectory.from_config(config).generate_revision(
            rev_id(), message or f"merge {', '.join(heads)}", head=heads,
            config=config, requires=[],
        )
    except (CommandError, AlembicRevisionError) as error:
        raise RevisionError(
            f"service {history.name!r}: Alembic could not write the merge revision in "
            f"{history.service.versions_dir}: {error}"
        ) from None
    if script is None:  # the file template wrote something Alembic does not read back
        raise RevisionError(
            f"service {history.name!r}: the merge revision written in "
            f"{history.service.versions_dir} is not readable as a revision; check "
            f"{history.service.template}"
        )
    return script.revision, Path(script.path).resolve()


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
