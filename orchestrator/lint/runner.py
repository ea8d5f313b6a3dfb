"""Run every rule on every chosen revision, apply suppressions, report.

``lint_revisions`` is what other commands call on the revisions they wrote (``generate``) or
are about to apply (``plan``); ``lint`` is ``orchestrate lint``: services, ``--since``.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import anyio
import networkx as nx

from orchestrator.core.errors import ConfigError, RevisionError
from orchestrator.core.gc_tuning import paced_collections
from orchestrator.history.reading import RevisionReading
from orchestrator.history.revision_graph import Node
from orchestrator.history.revisions import Revision, ServiceHistory
from orchestrator.lint import rendering
from orchestrator.lint.catalog import FAMILIES, RULES
from orchestrator.lint.column_history import ColumnHistory
from orchestrator.lint.context import (
    DEFAULT_PG_VERSION,
    RevisionContext,
    RevisionSource,
    canonical_table,
)
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rule import DEFAULT_DIALECT, DIALECTS
from orchestrator.lint.suppression import MALFORMED, read_suppressions
from orchestrator.runtime.database import server_major_version
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.workspace.ownership import table_key
from orchestrator.workspace.workspace import Workspace


@dataclass
class LintReport:
    dialect: str
    revisions: list[Node]
    findings: list[LintFinding]
    suppressed: list[LintFinding]
    #: The PostgreSQL major version the rules assumed (None for other dialects).
    pg_version: int | None = None
    #: ``--since`` resolved: the service and the revision after which revisions were linted
    #: (None: from base).
    since: tuple[str, str | None] | None = None

    @property
    def errors(self) -> list[LintFinding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[LintFinding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def clean(self) -> bool:
        """No error finding (warnings do not fail lint)."""
        return not self.errors

    def to_dict(self) -> dict:
        return {
            "dialect": self.dialect,
            "pg_version": self.pg_version,
            "revisions": [{"service": s, "revision": r} for s, r in self.revisions],
            "findings": [f.to_dict() for f in self.findings],
            "suppressed": [f.to_dict() for f in self.suppressed],
            "summary": {"revisions": len(self.revisions), "errors": len(self.errors),
                        "warnings": len(self.warnings), "suppressed": len(self.suppressed)},
            "since": None if self.since is None else {"service": self.since[0],
                                                       "revision": self.since[1]},
            "verdict": "errors" if self.errors else "warnings" if self.findings else "clean",
        }


def lint_revisions(orch: Orchestration, nodes: Iterable[Node], dialect: str | None = None,
                   pg_version: int | None = None) -> list[LintFinding]:
    """The unsuppressed findings of the given ``(service, revision)`` revisions.

    The revisions must be in ``orch.workspace.histories`` (reload the workspace after writing
    new revision files). ``dialect`` defaults to postgresql, the production target;
    ``pg_version`` to 13.
    """
    return Linter(orch.workspace, dialect, pg_version).run(list(nodes))[0]


def lint(orch: Orchestration, services: Iterable[str] | None = None, since: str | None = None,
         dialect: str | None = None, pg_version: int | None = None) -> LintReport:
    """``orchestrate lint``: every revision of the services (default: all), in history order.

    ``since`` is ``REV`` or ``SERVICE@REV``: only that service's revisions after ``REV`` are
    linted (and, when no service is named, only that service). ``pg_version`` (PostgreSQL
    rules) defaults to the major version of the PostgreSQL server the orchestration's URL
    names when it answers, else 13.
    """
    ws = orch.workspace
    named = list(services or [])
    selected = [s.name for s in ws.select(named)]
    scope = {name: list(ws.histories[name].order) for name in selected}
    resolved = None
    if since:
        service, start = resolved = _resolve_since(ws, selected, since)
        if not named:
            scope = {service: scope[service]}
        if start is not None:
            after = nx.descendants(ws.histories[service].graph, start)
            scope[service] = [rev for rev in scope[service] if rev in after]
    nodes = [(name, rev) for name, revs in scope.items() for rev in revs]
    chosen = check_dialect(dialect)
    if chosen == "postgresql" and pg_version is None:
        pg_version = anyio.run(server_major_version, orch.url)
    linter = Linter(ws, chosen, pg_version)
    findings, suppressed = linter.run(nodes)
    return LintReport(linter.dialect, nodes, findings, suppressed,
                      linter.pg_version if chosen == "postgresql" else None, resolved)


def _resolve_since(ws: Workspace, services: list[str], spec: str) -> tuple[str, str | None]:
    """``REV`` or ``SERVICE@REV`` -> (service, revision); None for ``base``."""
    service, sep, ref = spec.rpartition("@")
    if sep:
        if service not in services:
            ws.service(service)  # an unknown service gets the usual message
            raise ConfigError(f"--since {spec!r}: service {service!r} is not among the "
                              f"services linted ({', '.join(services)})")
        return service, ws.histories[service].resolve(ref)
    if ref in ("head", "base"):
        if len(services) != 1:
            raise ConfigError(f"--since {spec!r}: name the service, e.g. "
                              f"--since {services[0]}@{ref}")
        return services[0], ws.histories[services[0]].resolve(ref)
    found = {name: ws.histories[name].resolve(ref) for name in services
             if any(rev.startswith(ref) for rev in ws.histories[name].revisions)}
    if not found:
        where = f"service {services[0]}" if len(services) == 1 else (
            f"services {', '.join(services)}")
        suggestions = (ws.histories[name].did_you_mean(ref) for name in services)
        raise RevisionError(f"--since {spec!r}: no revision {ref!r} in {where}"
                            + next((text for text in suggestions if text), ""))
    if len(found) > 1:
        raise RevisionError(f"--since {spec!r} matches revisions of several services "
                            f"({', '.join(sorted(found))}); write SERVICE@REV")
    return next(iter(found.items()))


def check_dialect(dialect: str | None) -> str:
    chosen = (dialect or DEFAULT_DIALECT).lower()
    if chosen not in DIALECTS:
        raise ConfigError(f"unknown lint dialect {dialect!r}; choose one of "
                          f"{', '.join(DIALECTS)}")
    return chosen


def check_pg_version(version: int | None) -> int:
    if version is None:
        return DEFAULT_PG_VERSION
    if not 9 <= version <= 99:
        raise ConfigError(f"--pg-version {version}: give PostgreSQL's major version, e.g. 12 "
                          "or 16")
    return version


class Linter:
    """Lint revisions of one workspace for one dialect, from their recorded readings."""

    def __init__(self, workspace: Workspace, dialect: str | None = None,
                 pg_version: int | None = None) -> None:
        self.workspace = workspace
        self.dialect = check_dialect(dialect)
        self.pg_version = check_pg_version(pg_version)
        self._models_packages = {s.models: s.name for s in workspace.services.values()}
        self._families = [f for f in FAMILIES
                          if any(rule.applies_to(self.dialect) for rule in f.RULES)]
        self._other: dict[str, ServiceHistory] | None = None

    def run(self, nodes: list[Node]) -> tuple[list[LintFinding], list[LintFinding]]:
        """(findings, suppressed findings), revision by revision in the order given."""
        by_service: dict[str, list[Revision]] = {}
        for service, rev in nodes:
            self.workspace.service(service)  # UnknownService for a name not in the workspace
            revision = self._histories[service].revisions.get(rev)
            if revision is None:
                raise RevisionError(f"service {service!r} has no revision {rev!r}")
            by_service.setdefault(service, []).append(revision)
        findings: list[LintFinding] = []
        suppressed: list[LintFinding] = []
        with paced_collections() as pacer:
            for service, revisions in by_service.items():
                pacer.between()
                history = self._histories[service]
                own_tables = self._own_history_tables(history)
                columns = ColumnHistory(history, lambda t: canonical_table(
                    t, self.workspace.ownership))
                readings = history.readings([r.revision for r in revisions], rendered=True)
                for revision in revisions:
                    active, silenced = self._lint(revision, readings[revision.revision],
                                                  own_tables, columns)
                    findings += active
                    suppressed += silenced
        return findings, suppressed

    @property
    def _histories(self) -> dict[str, ServiceHistory]:
        """The histories read for lint's dialect (the workspace's, when they are the same)."""
        if self.workspace.dialect == self.dialect:
            return self.workspace.histories
        if self._other is None:
            readings = self.workspace.settings.state_dir / "readings"
            self._other = {name: ServiceHistory.read(service, self.dialect, readings)
                           for name, service in self.workspace.services.items()}
        return self._other

    def _own_history_tables(self, history: ServiceHistory) -> frozenset[str]:
        """Every table a revision of the service creates (or renames to), anywhere in its
        history, upgrades and downgrades alike."""
        tables: set[str] = set()
        for reading in history.readings().values():
            for function in reading.functions():
                for call in function.calls:
                    name = call.table if call.name == "create_table" else (
                        call.new_name if call.name == "rename_table" else None)
                    if name:
                        tables.add(canonical_table(table_key(name, call.schema),
                                                   self.workspace.ownership))
        return frozenset(tables)

    def _lint(self, revision: Revision, reading: RevisionReading, own_tables: frozenset[str],
              columns: ColumnHistory) -> tuple[list[LintFinding], list[LintFinding]]:
        source = RevisionSource.read(revision.path)
        ctx = RevisionContext(self.workspace, revision, reading, source, self.dialect,
                              own_tables, self._models_packages, self.pg_version, columns)
        candidates: list[LintFinding] = []
        for family in self._families:
            candidates += [f for f in family.check(ctx)
                           if RULES[f.code].applies_to(self.dialect)]
        candidates += rendering.check(ctx)
        return _apply_suppressions(ctx, candidates)


def _apply_suppressions(ctx: RevisionContext, candidates: list[LintFinding]
                        ) -> tuple[list[LintFinding], list[LintFinding]]:
    """(active findings, suppressed findings), plus findings about the suppressions."""
    suppressions, problems = read_suppressions(ctx.source.text, ctx.source.tree)
    meta = [ctx.finding(RULES[p.rule_code], p.line, p.detail) for p in problems]
    for suppression in suppressions:
        unknown = sorted(suppression.codes - RULES.keys())
        if unknown:
            meta.append(ctx.finding(
                MALFORMED, suppression.line,
                f"suppression names unknown rule code(s) {', '.join(unknown)}"))
    active: list[LintFinding] = []
    silenced: list[LintFinding] = []
    seen: set[tuple[str, int, str | None]] = set()
    for finding in sorted(candidates, key=lambda f: (f.line, f.code)):
        if (finding.code, finding.line, finding.object) in seen:
            continue
        seen.add((finding.code, finding.line, finding.object))
        cover = next((s for s in suppressions if s.covers(finding.code, finding.line)), None)
        if cover is not None and RULES[finding.code].suppressible:
            silenced.append(replace(finding, suppressed_by=cover.reason))
        else:
            active.append(finding)
    return sorted(active + meta, key=lambda f: (f.line, f.code)), silenced
