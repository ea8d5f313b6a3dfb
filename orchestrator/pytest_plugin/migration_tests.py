"""orchestrate's ready-made migration tests; a project opts into all of them with one line in
a test module::

    from orchestrator.pytest_plugin.migration_tests import *  # noqa: F403

(or imports the ones it wants by name). Each failure names the service and the revision.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from orchestrator.pytest_plugin import TestDatabase
    from orchestrator.workspace.workspace import Workspace

__all__ = [
    "test_single_head_per_service",
    "test_upgrade_from_base_to_heads",
    "test_stairway",
    "test_models_match_migrations",
    "test_lint_has_no_error",
    "test_service_alone_with_its_requirements",
]


def test_single_head_per_service(orchestrate_workspace: Workspace) -> None:
    """Every service's history has one head (a fork is merged before it ships)."""
    forks = [f"service {name!r} has {len(history.heads)} heads: {', '.join(history.heads)} "
             f"(merge them: orchestrate merge {name})"
             for name, history in sorted(orchestrate_workspace.histories.items())
             if len(history.heads) > 1]
    if forks:
        pytest.fail("\n".join(forks), pytrace=False)


def test_upgrade_from_base_to_heads(orchestrate_database: TestDatabase) -> None:
    """An empty database is upgraded to every service's heads, in global order."""
    from orchestrator.runtime.migrate import upgrade

    targets = dict.fromkeys(orchestrate_database.orchestration.workspace.services, "heads")
    _or_fail(orchestrate_database, upgrade, targets)


def test_stairway(orchestrate_database: TestDatabase) -> None:
    """Each revision, in global order, up, down and up again; then all down in reverse."""
    from orchestrator.runtime.stairway import stairway

    _or_fail(orchestrate_database, stairway)


def test_models_match_migrations(orchestrate_database: TestDatabase) -> None:
    """Upgraded to its heads, no service's models differ from its migrations (``check``)."""
    from orchestrator.autogenerate.check import check
    from orchestrator.runtime.migrate import upgrade

    ws = orchestrate_database.orchestration.workspace
    _or_fail(orchestrate_database, upgrade, dict.fromkeys(ws.services, "heads"))
    report = _or_fail(orchestrate_database, check)
    problems = []
    for service in report.services:
        found = [str(change) for change in service.changes] + service.problems
        if found:
            problems.append(
                f"service {service.service!r} at {', '.join(service.heads)}: its models "
                f"differ from its migrations: {'; '.join(found)} (orchestrate generate "
                f"{service.service} -m '...')")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_lint_has_no_error(orchestrate_database: TestDatabase) -> None:
    """No revision has a lint error (``orchestrate lint``, for the database's dialect)."""
    from orchestrator.lint.runner import lint

    orch = orchestrate_database.orchestration
    report = lint(orch, dialect=orch.url.get_backend_name())
    if report.errors:
        pytest.fail("\n".join(f"service {f.service!r}, revision {f.revision} ({f.path}:{f.line})"
                              f": [{f.code}] {f.detail}" for f in report.errors), pytrace=False)


def test_service_alone_with_its_requirements(orchestrate_service: str,
                                             orchestrate_database: TestDatabase) -> None:
    """Each service alone, with what it requires of others, upgrades an empty database."""
    from orchestrator.runtime.migrate import upgrade

    _or_fail(orchestrate_database, upgrade, {orchestrate_service: "heads"},
             with_requirements=True)


def _or_fail(database: TestDatabase, coroutine_function, *args, **kwargs):  # noqa: ANN001, ANN202
    """The call's result; orchestrate's own error (which names the service and revision, and
    what committed before) as the test's failure, without a traceback."""
    from orchestrator.core.errors import OrchestrateError

    try:
        return database.run(coroutine_function, *args, **kwargs)
    except OrchestrateError as error:
        pytest.fail(error.message + _committed(error), pytrace=False)


def _committed(error: BaseException) -> str:
    run = getattr(error, "result", None)
    applied = getattr(run, "applied", None)
    if not applied:
        return ""
    return "\nsteps that committed before it: " + ", ".join(
        f"{a.step.service}:{a.step.revision}" for a in applied)
