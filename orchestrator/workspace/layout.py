"""Service folders against service inis: neither may exist without the other, silently.

A service is what an ini in the ini folder declares. A folder of the services folder that
looks like a service (it has ``migrations/`` or ``models``) but that no ini names is invisible
to orchestrate and to ``alembic -c``: its revisions would never run. An ini whose migrations
are in no folder of the services folder, or in the folder of another service, names no service
folder of its own. Both are reported by ``plan`` and ``check``, never passed over.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orchestrator.config.service import Service
from orchestrator.config.settings import Settings


@dataclass(frozen=True)
class LayoutProblem:
    code: str
    severity: str  # "error" or "warning", as plan's findings
    path: Path
    message: str

    def to_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "path": str(self.path),
                "message": self.message}


def layout_problems(settings: Settings, services: Mapping[str, Service]) -> list[LayoutProblem]:
    """Every folder without an ini, and every ini without a folder of its own."""
    def shown(path: Path) -> str:
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)

    root = settings.root
    services_dir, ini_dir = shown(settings.services_dir), shown(settings.ini_dir)
    problems: list[LayoutProblem] = []
    owners: dict[Path, list[Service]] = {}
    for name in sorted(services):
        service = services[name]
        folder = service_folder(settings.services_dir, service)
        if folder is None:
            problems.append(LayoutProblem(
                "ini-without-service-folder", "warning", service.ini_path,
                f"{service.ini_path.name}: service {name!r} keeps its migrations in "
                f"{shown(service.script_location)}, in no folder of {services_dir}/; "
                f"keep them in {services_dir}/{name}/migrations as the other services do"))
        else:
            owners.setdefault(folder, []).append(service)
    for folder, sharing in sorted(owners.items()):
        if len(sharing) > 1:
            inis = " and ".join(s.ini_path.name for s in sharing)
            problems.append(LayoutProblem(
                "services-share-a-folder", "error", sharing[-1].ini_path,
                f"{inis} both keep their migrations in {shown(folder)}: services "
                f"{', '.join(repr(s.name) for s in sharing)} would write into one history; "
                "point each ini's script_location at its own service folder"))
    for folder in _service_like_folders(settings.services_dir):
        if folder not in owners:
            problems.append(LayoutProblem(
                "service-folder-without-ini", "error", folder,
                f"{shown(folder)} looks like a service (it has migrations/ or models) but no "
                f"ini in {ini_dir}/ names it: its revisions never run and its tables are "
                f"nobody's; add {ini_dir}/{folder.name}.ini (see docs/scaffolding.md), or move "
                "the folder out of the services folder"))
    return problems


def service_folder(services_dir: Path, service: Service) -> Path | None:
    """The folder of ``services_dir`` holding the service's migrations (None: in none)."""
    location = service.script_location
    services = services_dir.resolve()
    if not location.is_relative_to(services) or location == services:
        return None
    return services / location.relative_to(services).parts[0]


def _service_like_folders(services_dir: Path) -> list[Path]:
    if not services_dir.is_dir():
        return []
    return [folder.resolve() for folder in sorted(services_dir.iterdir())
            if folder.is_dir() and not folder.name.startswith((".", "_"))
            and ((folder / "migrations").is_dir() or (folder / "models").is_dir()
                 or (folder / "models.py").is_file())]
