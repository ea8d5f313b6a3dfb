"""Import a service's models package and every submodule in it, and find its MetaData.

Importing every submodule makes the classic pitfall, a table missing from ``target_metadata``
because nobody imported the module that defines it, impossible by construction.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from sqlalchemy import MetaData
from sqlalchemy.exc import NoReferencedColumnError, NoReferencedTableError
from sqlalchemy.orm import DeclarativeBase

from orchestrator.config.service import Service
from orchestrator.core.errors import ConfigError, ModelImportError
from orchestrator.workspace.entities import INFO_KEY, collect_entities

#: Top-level packages never re-imported: the tool itself and test/benchmark code.
_NEVER_PURGED = {"orchestrator", "tests", "conftest", "benchmarks"}


def prepare_imports(root: Path, module_names: Iterable[str]) -> None:
    """Put ``root`` first on ``sys.path`` and forget modules that must be imported afresh.

    Forgotten: every module of the workspace's own top-level packages, and any module with the
    same top-level name loaded from another folder (another workspace in the same process), so
    the models read are always the ones on disk now.
    """
    root_text = str(root)
    if root_text in sys.path:
        sys.path.remove(root_text)
    sys.path.insert(0, root_text)
    local_tops = {name.partition(".")[0] for name in module_names}
    local_tops |= {
        entry.stem for entry in root.iterdir()
        if entry.suffix == ".py" or (entry / "__init__.py").is_file()
    }
    local_tops -= _NEVER_PURGED
    for name in [n for n in sys.modules if n.partition(".")[0] in local_tops]:
        del sys.modules[name]
    importlib.invalidate_caches()


def load_metadata(service: Service, root: Path) -> MetaData:
    """Import ``service.models`` with all its submodules and return the service's MetaData
    (the entities the package declares kept in its ``info``: see :mod:`.entities`)."""
    package = _import(service, service.models, root)
    modules = [package]
    if hasattr(package, "__path__"):
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            modules.append(_import(service, info.name, root))
    metadata = _find_metadata(service, package, modules)
    metadata.info[INFO_KEY] = collect_entities(service, modules)
    check_foreign_keys(service, metadata)
    return metadata


def check_foreign_keys(service: Service, metadata: MetaData) -> None:
    """Every foreign key of the MetaData must name a table and column of that MetaData (what
    SQLAlchemy resolves), or comparing the models fails half-way: exit 2, naming the key."""
    for table in metadata.tables.values():
        for key in table.foreign_keys:
            try:
                key.column  # noqa: B018 -- resolves the reference
            except (NoReferencedTableError, NoReferencedColumnError) as error:
                raise ConfigError(
                    f"service {service.name!r} ({service.models}): foreign key "
                    f"{table.name}.{key.parent.name} -> {key.target_fullname}: {error}. A "
                    "table of another service must be in this MetaData too: declare a stub "
                    "(its primary key only) in the models and restrict what the service owns "
                    f"with `tables = ...` in {service.ini_path.name} (docs/workspace.md)"
                ) from None


def _import(service: Service, name: str, root: Path) -> ModuleType:
    try:
        return importlib.import_module(name)
    except SyntaxError as error:
        raise ModelImportError(service.name, name, error.filename, error.lineno, error) from None
    except Exception as error:  # any failure inside user code is reported, not raised
        filename, lineno = _innermost_user_frame(error, root)
        if isinstance(error, ModuleNotFoundError) and error.name and (
            name == error.name or name.startswith(f"{error.name}.")
        ):
            raise ConfigError(
                f"{service.ini_path}: service {service.name!r}: models package {name!r} "
                f"cannot be found under {root} (set `models =` in [orchestrate])"
            ) from None
        raise ModelImportError(service.name, name, filename, lineno, error) from None


def _innermost_user_frame(error: BaseException, root: Path) -> tuple[str | None, int | None]:
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if _is_under(Path(f.filename), root)]
    frame = (inside or frames or [None])[-1]
    return (frame.filename, frame.lineno) if frame else (None, None)


def _is_under(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return True


def _find_metadata(service: Service, package: ModuleType, modules: list[ModuleType]) -> MetaData:
    if service.metadata_attr:
        found = getattr(package, service.metadata_attr, None)
        found = getattr(found, "metadata", found)
        if not isinstance(found, MetaData):
            raise ConfigError(
                f"{service.ini_path}: [orchestrate] metadata = {service.metadata_attr} does not "
                f"name a MetaData (or a declarative base) in {package.__name__}"
            )
        return found
    direct = getattr(package, "metadata", None)
    if isinstance(direct, MetaData):
        return direct
    candidates: dict[int, MetaData] = {}
    for module in modules:
        if not module.__name__.startswith(package.__name__):
            continue
        for value in vars(module).values():
            if isinstance(value, MetaData):
                candidates[id(value)] = value
            elif isinstance(value, type) and issubclass(value, DeclarativeBase) and (
                value.__module__.startswith(package.__name__)
            ) and isinstance(getattr(value, "metadata", None), MetaData):
                candidates[id(value.metadata)] = value.metadata
    if len(candidates) == 1:
        return next(iter(candidates.values()))
    if not candidates:
        raise ConfigError(
            f"{service.ini_path}: service {service.name!r}: no MetaData found in "
            f"{package.__name__}; define `metadata = MetaData(...)` in the package"
        )
    raise ConfigError(
        f"{service.ini_path}: service {service.name!r}: {len(candidates)} MetaData objects "
        f"found in {package.__name__}; name the service's one with `metadata = <attribute>` "
        "in [orchestrate]"
    )
