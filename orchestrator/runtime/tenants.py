"""Schema-per-tenant: one service's MetaData applied to many PostgreSQL schemas, one per tenant.

The workspace declares its tenants in ``[tool.orchestrate]``: ``tenants = [...]`` (names) and/or
``tenant_schemas = "tenant_*"`` (a glob over the database's schemas); a service with
``per_tenant = true`` in its ini is applied to every tenant: each tenant's schema holds its
own copy of the service's tables and its own version table. The other services are shared
(once in the database). orchestrate works on one tenant at a time: :func:`for_tenant` is the
invocation where every per-tenant service is that tenant's (its version table in the tenant's
schema; its revisions and its comparison run with the tenant's schema as ``search_path``:
:mod:`orchestrator.runtime.search_path`). ``upgrade``/``downgrade``/``plan`` for all tenants
run tenant after tenant (:func:`each_tenant`): the shared services' steps go with the first.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Awaitable, Callable
from dataclasses import replace

from sqlalchemy import inspect

from orchestrator.config.service import Service
from orchestrator.core.errors import ConfigError, DatabaseError
from orchestrator.runtime import migrate
from orchestrator.runtime.database import connect
from orchestrator.runtime.executor import AppliedStep
from orchestrator.runtime.migrate import MigrationRun
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import Sequencer, Step
from orchestrator.runtime.state import sqlite_file_missing
from orchestrator.workspace.workspace import Workspace

#: ``--tenant all`` (the same as no ``--tenant``): every tenant, one after the other.
ALL = "all"


def per_tenant(workspace: Workspace) -> list[str]:
    """The per-tenant services of the workspace, by name."""
    return [name for name in workspace.names if workspace.services[name].per_tenant]


def tenant_service(service: Service, tenant: str) -> Service:
    """``service`` as it is for ``tenant``: its version table in the tenant's schema."""
    return replace(service, tenant=tenant, version_table_schema=tenant)


def check_tenant(workspace: Workspace, tenant: str) -> str:
    """``tenant`` when the workspace declares it (listed, or matching ``tenant_schemas``) and
    it is no shared service's schema; else exit 2 saying what is declared."""
    settings = workspace.settings
    declared = tenant in settings.tenants or bool(
        settings.tenant_schemas and fnmatch.fnmatchcase(tenant, settings.tenant_schemas))
    if not declared:
        said = [f"tenants = {list(settings.tenants)!r}"] if settings.tenants else []
        if settings.tenant_schemas:
            said.append(f"tenant_schemas = {settings.tenant_schemas!r}")
        raise ConfigError(f"unknown tenant {tenant!r}: {settings.pyproject} [tool.orchestrate] "
                          f"declares {' and '.join(said) or 'no tenants'}")
    for service in workspace.services.values():
        if tenant in (service.schema, service.version_table_schema):
            raise ConfigError(f"tenant {tenant!r} is also a schema of service "
                              f"{service.name!r} ({service.ini_path.name}); a tenant's schema "
                              "holds the per-tenant services' tables only")
    return tenant


async def list_tenants(orch: Orchestration) -> list[str]:
    """Every tenant: listed in ``tenants``, and the database's schemas matching
    ``tenant_schemas``; sorted."""
    settings = orch.workspace.settings
    found = set(settings.tenants)
    if settings.tenant_schemas and not sqlite_file_missing(orch.url):
        async with connect(orch.url) as connection:
            names = await connection.run_sync(lambda c: inspect(c).get_schema_names())
        found |= {n for n in names if fnmatch.fnmatchcase(n, settings.tenant_schemas)}
    return [check_tenant(orch.workspace, name) for name in sorted(found)]


async def chosen_tenants(orch: Orchestration, tenant: str | None) -> list[str] | None:
    """The tenants a command works on: ``tenant``, or all for None and ``all``. None when no
    service is per tenant (then ``tenant`` must not be given)."""
    if not per_tenant(orch.workspace):
        if tenant is not None:
            raise ConfigError("--tenant: no service is per tenant (per_tenant = true in a "
                              "service's ini)")
        return None
    if tenant is not None and tenant != ALL:
        return [check_tenant(orch.workspace, tenant)]
    return await list_tenants(orch)


def for_tenant(orch: Orchestration, tenant: str) -> Orchestration:
    """The invocation as it is for one tenant: every per-tenant service is that tenant's."""
    workspace = orch.workspace.view({
        name: tenant_service(service, tenant) if service.per_tenant else service
        for name, service in orch.workspace.services.items()})
    view = orch.for_workspace(workspace)
    view.tenant = tenant
    return view


def shared_only(orch: Orchestration, targets: dict[str, str | None] | None
                ) -> dict[str, str | None]:
    """The targets without per-tenant services (there is no tenant to apply them to)."""
    tenanted = set(per_tenant(orch.workspace))
    named = sorted(tenanted.intersection(targets or {}))
    if named:
        raise ConfigError(f"service(s) {', '.join(named)} are per tenant and the workspace "
                          "has no tenant yet: declare tenants = [...] or tenant_schemas = "
                          "... in [tool.orchestrate]")
    return dict(targets) if targets else {
        name: None for name in orch.workspace.names if name not in tenanted}


Apply = Callable[[Orchestration], Awaitable[MigrationRun]]


async def each_tenant(orch: Orchestration, tenants: list[str], apply: Apply,
                      sql: bool = False) -> MigrationRun:
    """``apply`` for each tenant in turn; one run listing every step, each per-tenant step
    with its tenant. A failure stops there: its ``result`` lists what every tenant before
    applied, then the tenant that failed."""
    if sql and len(tenants) > 1:
        raise ConfigError("--sql renders one tenant at a time: pass --tenant NAME")
    total = MigrationRun([])
    for tenant in tenants:
        view = for_tenant(orch, tenant)
        try:
            run = await apply(view)
        except DatabaseError as error:
            if isinstance(error.result, MigrationRun):
                error.result = _joined(total, error.result, view)
            raise
        total = _joined(total, run, view)
    return total


def _joined(total: MigrationRun, run: MigrationRun, view: Orchestration) -> MigrationRun:
    def tagged(step: Step) -> Step:
        return replace(step, tenant=view.workspace.services[step.service].tenant)

    offset = len(total.steps)
    return MigrationRun(
        [*total.steps, *map(tagged, run.steps)],
        [*total.applied, *(AppliedStep(tagged(a.step), a.seconds) for a in run.applied)],
        sql=run.sql if run.sql is not None else total.sql,
        failed_at=offset + run.failed_at if run.failed_at else None)


async def upgrade(orch: Orchestration, targets: dict[str, str | None] | None = None, *,
                  tenant: str | None = None, sql: bool = False, **options: object
                  ) -> MigrationRun:
    """``migrate.upgrade`` for the chosen tenants (every one by default), one after the other;
    with no per-tenant service, exactly ``migrate.upgrade``."""
    tenants = await chosen_tenants(orch, tenant)
    if tenants is None:
        return await migrate.upgrade(orch, targets, sql=sql, **options)  # type: ignore[arg-type]
    if not tenants:
        return await migrate.upgrade(orch, shared_only(orch, targets), sql=sql,
                                     **options)  # type: ignore[arg-type]
    return await each_tenant(orch, tenants, lambda view: migrate.upgrade(
        view, targets, sql=sql, **options), sql)  # type: ignore[arg-type]


async def downgrade(orch: Orchestration, service: str, revision: str, *,
                    tenant: str | None = None, cascade: bool = False, sql: bool = False,
                    **options: object) -> MigrationRun:
    """``migrate.downgrade`` for the chosen tenants. A per-tenant service comes down in each
    tenant; a shared one once, after checking that no tenant's revisions still need it."""
    tenants = await chosen_tenants(orch, tenant)
    if tenants is None or (not tenants and not orch.workspace.service(service).per_tenant):
        return await migrate.downgrade(orch, service, revision, cascade=cascade, sql=sql,
                                       **options)  # type: ignore[arg-type]
    if not orch.workspace.service(service).per_tenant:
        if cascade:
            raise ConfigError(f"downgrade --cascade of shared service {service!r} across "
                              "tenants is not supported: downgrade the per-tenant services "
                              "first (--tenant NAME), then this one")
        for name in tenants:  # each tenant's dependents, before anything runs
            view = for_tenant(orch, name)
            Sequencer(view.revision_graph, await view.state()).downgrade(service, revision)
        return await each_tenant(orch, tenants[:1], lambda view: migrate.downgrade(
            view, service, revision, sql=sql, **options), sql)  # type: ignore[arg-type]
    if not tenants:
        raise ConfigError(f"service {service!r} is per tenant and the workspace has no tenant")
    return await each_tenant(orch, tenants, lambda view: migrate.downgrade(
        view, service, revision, cascade=cascade, sql=sql, **options), sql)  # type: ignore[arg-type]


async def reference_tenant(orch: Orchestration) -> Orchestration:
    """Where per-tenant services are compared with their models when no tenant is named: the
    first tenant; with none, the invocation itself (they then cannot be compared)."""
    tenants = await list_tenants(orch)
    return for_tenant(orch, tenants[0]) if tenants else orch
