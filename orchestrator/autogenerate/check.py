"""``orchestrate check``: the CI gate. Do the models say anything the migrations do not?

A thin layer over :func:`orchestrator.autogenerate.autodetect.detect_changes`: every named service must be
at its head (else the check is refused, exit 2); the check fails (exit 1) when a service's
models differ from its migrations plus database, or when a custom type's repr is unstable, or a service folder has no ini (workspace.layout);
with ``drift``, also when the database holds objects its migrations do not explain (a
database built by ``orchestrate upgrade``, as in CI, has none, so it is not read by default).
"""
from __future__ import annotations

from orchestrator.autogenerate.autodetect import ChangeReport, detect_changes
from orchestrator.runtime.orchestration import Orchestration


async def check(orch: Orchestration, services: list[str] | None = None, *,
                drift: bool = False) -> ChangeReport:
    """The comparison of every named service (default: all); ``.clean`` is the verdict."""
    report = await detect_changes(orch, services, drift=drift)
    report.require_comparable("check")
    report.layout = orch.workspace.layout_problems
    return report
