"""The workspace: settings, services, and what is derived from them on first use."""
from __future__ import annotations

import copy
import sys
from dataclasses import replace
from functools import cached_property
from pathlib import Path

from sqlalchemy import MetaData, Table

from orchestrator.config.service import Service, read_service
from orchestrator.config.settings import Settings, find_root, load_settings
from orchestrator.core.errors import (
    ConfigError,
    OwnershipError,
    UnknownService,
)
from orchestrator.core.gc_tuning import paced_collections
from orchestrator.history.revisions import DEFAULT_DIALECT, ServiceHistory
from orchestrator.workspace.entities import declared_keys
from orchestrator.workspace.enum_types import enum_uses
from orchestrator.workspace.layout import LayoutProblem, layout_problems
from orchestrator.workspace.model_loader import load_metadata, prepare_imports
from orchestrator.workspace.ownership import OwnershipRegistry


class Workspace:
    """A monorepo laid out as DESIGN.md says, found from ``root``."""

    def __init__(self, settings: Settings, services: dict[str, Service],
                 dialect: str = DEFAULT_DIALECT) -> None:
        self.settings = settings
        self.services = services
        #: The SQL dialect revisions are read for (that of the database being worked on).
        self.dialect = dialect

    def read_for(self, dialect: str) -> None:
        """Read revisions for ``dialect`` (a revision may do different things per dialect)."""
        if dialect == self.dialect:
            return
        self.dialect = dialect
        for derived in ("histories", "claims", "ownership"):
            self.__dict__.pop(derived, None)

    def view(self, services: dict[str, Service]) -> Workspace:
        """The same workspace (models, histories, ownership shared) with ``services`` as given:
        the services seen for one tenant (``runtime.tenants``)."""
        other = copy.copy(self)
        other.services = services
        return other

    @classmethod
    def load(cls, root: Path | None = None) -> Workspace:
        settings = load_settings(root if root is not None else find_root())
        ini_dir = settings.ini_dir
        if not ini_dir.is_dir():
            raise ConfigError(
                f"{settings.pyproject}: ini_dir {ini_dir} does not exist; it must hold one "
                "Alembic ini per service"
            )
        services: dict[str, Service] = {}
        package = settings.services_dir.relative_to(settings.root).as_posix().replace("/", ".")
        for ini_path in sorted(ini_dir.glob("*.ini")):
            service = read_service(ini_path, package)
            if service.name in services:
                raise ConfigError(
                    f"service {service.name!r} is declared twice: in "
                    f"{services[service.name].ini_path} and in {ini_path}"
                )
            # the workspace's extension points first, then the service's own
            services[service.name] = replace(
                service, extensions=settings.extensions + service.extensions)
        if not services:
            raise ConfigError(f"{ini_dir}: no service ini files (*.ini) found\n"
                              "add a service with `orchestrate new-service NAME`")
        _check_version_tables_distinct(services)
        for service in services.values():
            for needed in service.depends_on:
                if needed not in services:
                    raise ConfigError(
                        f"{service.ini_path}: [orchestrate] depends_on names unknown service "
                        f"{needed!r}; known: {', '.join(sorted(services))}"
                    )
        return cls(settings, services)

    @property
    def root(self) -> Path:
        return self.settings.root

    @property
    def names(self) -> list[str]:
        return sorted(self.services)

    def service(self, name: str) -> Service:
        try:
            return self.services[name]
        except KeyError:
            raise UnknownService(name, self.names) from None

    def select(self, names: list[str] | tuple[str, ...] | None) -> list[Service]:
        """The named services (all when none are named), in name order, each checked."""
        if not names:
            return [self.services[n] for n in self.names]
        return [self.service(n) for n in dict.fromkeys(names)]

    @cached_property
    def metadata(self) -> dict[str, MetaData]:
        """Every service's MetaData, all submodules imported."""
        prepare_imports(self.root, [s.models for s in self.services.values()])
        with paced_collections():  # models are long-lived: no collector passes over them
            return {name: load_metadata(self.services[name], self.root) for name in self.names}

    @cached_property
    def naming_convention_mismatch(self) -> str | None:
        """Which services differ from the others' MetaData naming convention (None: all
        alike). Each service's constraints are named by its own MetaData, so this is a finding
        of ``plan``, never a refusal: a workspace adopted from several teams often differs."""
        return naming_convention_mismatch(self.metadata)

    def service_metadata(self, name: str) -> MetaData:
        """One service's MetaData, importing only its own models (unless all are loaded)."""
        if "metadata" in self.__dict__:
            return self.metadata[name]
        prepare_imports(self.root, [s.models for s in self.services.values()])
        # Models importing other services' models (a chain of foreign keys through imports)
        # nest one import per service when loaded alone: room for the deepest workspace.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 1_000 + 50 * len(self.services)))
        try:
            return load_metadata(self.service(name), self.root)
        finally:
            sys.setrecursionlimit(limit)

    @cached_property
    def histories(self) -> dict[str, ServiceHistory]:
        readings = self.settings.state_dir / "readings"
        with paced_collections():
            return {name: ServiceHistory.read(self.services[name], self.dialect, readings)
                    for name in self.names}

    @cached_property
    def version_tables(self) -> frozenset[str]:
        return frozenset(s.version_table for s in self.services.values())

    @cached_property
    def ownership(self) -> OwnershipRegistry:
        """Who owns which table; an error when two services claim one table."""
        return self.claims.check()

    @cached_property
    def unowned_model_tables(self) -> dict[str, list[str]]:
        """Per ``tables =`` service, the tables of its MetaData that no service owns.

        Such a table (new in the models, forgotten in ``tables =``) would be compared by
        nobody: ``check`` and ``plan`` report it instead of calling the models clean.
        """
        found: dict[str, list[str]] = {}
        for name in self.names:
            if self.services[name].tables is not None:
                tables = self.claims.unowned(self.metadata[name].tables)
                if tables:
                    found[name] = tables
        return found

    def unowned_model_table_messages(self, name: str) -> list[str]:
        """What :attr:`unowned_model_tables` holds for service ``name``, as messages."""
        service = self.services[name]
        return [f"service {name!r}: table {table!r} of its MetaData is owned by no service: "
                f"add it to `tables =` in {service.ini_path.name} or to another service"
                for table in self.unowned_model_tables.get(name, [])]

    @cached_property
    def layout_problems(self) -> list[LayoutProblem]:
        """Service folders no ini names, inis naming no service folder of their own."""
        return layout_problems(self.settings, self.services)

    @cached_property
    def services_without_tables(self) -> list[str]:
        """New services: no table in their models or ``tables =``, and none in their history."""
        return [name for name in self.names if not self.claims.tables_of(name)]

    @cached_property
    def claims(self) -> OwnershipRegistry:
        """The ownership registry as claimed, overlaps kept (for reports such as ``plan``)."""
        claims: dict[str, list[tuple[str, str]]] = {}
        enums: dict[str, list[str]] = {}
        entities: dict[str, list[tuple[str, str]]] = {}
        for name in self.names:
            service = self.services[name]
            if service.tables is not None:
                claims[name] = [(table, "ini") for table in service.tables]
                self._check_listed_tables_are_modelled(service)
            else:
                model_tables = [
                    key for key, table in self.metadata[name].tables.items()
                    if not _declares_own_version_table(service, table)
                ]
                claims[name] = [(table, "models") for table in model_tables]
            self._check_not_version_tables(service, [table for table, _ in claims[name]])
            declared = enum_uses(self.metadata[name], [table for table, _ in claims[name]])
            enums[name] = [enum for enum, use in declared.items() if use.creates]
            created = self.histories[name].table_claims()
            if not claims[name] and created:  # autogenerate would drop every one of them
                raise OwnershipError(
                    f"service {name!r} defines no tables, but its revisions create "
                    f"{', '.join(sorted(created))}: {service.models} has none in its "
                    f"MetaData (checked every submodule) and {service.ini_path} lists none"
                )
            claims[name] += [(t, "history") for t in created]
            entities[name] = [(key, "models") for key in declared_keys(self.metadata[name])]
            entities[name] += [(e, "history") for e in self.histories[name].entity_claims()]
        return OwnershipRegistry.build(
            claims, ignore=self.settings.ignore, version_tables=self.version_tables,
            enum_claims=enums, entity_claims=entities,
            schema_claims={n: s.schema for n, s in self.services.items() if s.schema},
        )

    def _check_listed_tables_are_modelled(self, service: Service) -> None:
        """A table in ``tables =`` that the models do not define would be compared as dropped:
        autogenerate would write its ``drop_table``. Dropping a table takes removing it from
        both, so a table listed alone is refused, not dropped."""
        missing = sorted(set(service.tables or ()) - set(self.metadata[service.name].tables))
        if missing:
            raise OwnershipError(
                f"service {service.name!r} lists {', '.join(missing)} in `tables =` "
                f"({service.ini_path}), but its models ({service.models}) do not define "
                f"{'it' if len(missing) == 1 else 'them'}\n"
                "  autogenerate would propose dropping a table listed there: define it in the "
                "models, or remove it from `tables =` (to drop it, remove it from both)"
            )

    @cached_property
    def schemas(self) -> tuple[str, ...]:
        """The schemas besides the database's default one that orchestrate reads: those the
        services' tables, ``schema =`` and version tables use, and ``include_schemas``."""
        found = set(self.settings.include_schemas)
        for name, service in self.services.items():
            found |= {s for s in (service.schema, service.version_table_schema) if s}
            found |= {table.schema for table in self.metadata[name].tables.values()
                      if table.schema}
        return tuple(sorted(found))

    def check(self) -> None:
        """Every check of the loaded workspace that needs no database (exit 2): ownership
        overlaps, version tables colliding with tables, models that import."""
        self.ownership  # noqa: B018 -- raises on a table claimed twice

    def _check_not_version_tables(self, service: Service, tables: list[str]) -> None:
        by_table = {s.version_table: s for s in self.services.values()}
        for table in tables:
            holder = by_table.get(table)
            if holder is not None:
                source = "its ini's `tables =`" if service.tables is not None else "its models"
                raise ConfigError(
                    f"{holder.ini_path}: [orchestrate] version_table = {table!r} is also a "
                    f"table of service {service.name!r} (from {source}); Alembic would mix "
                    "the table's rows with the version rows. Choose another version_table"
                )


def _check_version_tables_distinct(services: dict[str, Service]) -> None:
    seen: dict[str, Service] = {}
    for service in services.values():
        other = seen.setdefault(service.version_table, service)
        if other is not service:
            raise ConfigError(
                f"services {other.name!r} ({other.ini_path}) and {service.name!r} "
                f"({service.ini_path}) both use the version table {service.version_table!r}; "
                "each service needs its own, or their histories mix. Set a distinct "
                "`version_table =` in [orchestrate]"
            )


def _declares_own_version_table(service: Service, table: Table) -> bool:
    """A models package may declare its service's own version table; that is no claim."""
    return table.name == service.version_table and set(table.c.keys()) == {"version_num"}


def naming_convention_mismatch(metadata: dict[str, MetaData]) -> str | None:
    """Services whose MetaData naming convention differs from the most common one, or None."""
    by_convention: dict[tuple, list[str]] = {}
    for name, meta in metadata.items():
        key = tuple(sorted((str(k), str(v)) for k, v in meta.naming_convention.items()))
        by_convention.setdefault(key, []).append(name)
    if len(by_convention) <= 1:
        return None
    groups = sorted(by_convention.items(), key=lambda item: (-len(item[1]), item[1]))
    reference, majority = groups[0]
    details = []
    for convention, names in groups[1:]:
        diff = sorted(set(convention) ^ set(reference))
        keys = sorted({k for k, _ in diff})
        details.append(
            f"{', '.join(names)} differ(s) from {', '.join(majority)} on key(s) "
            f"{', '.join(keys)}"
        )
    return ("services use different MetaData naming conventions: " + "; ".join(details)
            + ". Each service's constraints are named by its own convention; one shared "
            "convention (e.g. shared_db.make_metadata()) keeps names predictable")
