"""Workspace settings: ``[tool.orchestrate]`` in the workspace's ``pyproject.toml``."""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestrator.config.extensions import KEYS as EXTENSION_KEYS
from orchestrator.config.extensions import Declarations, declarations
from orchestrator.core.errors import ConfigError, WorkspaceNotFound, unknown_keys

#: Tables that belong to well-known third-party software sharing the database (PostGIS,
#: Celery, ...). They are ignored unless ``ignore_defaults = false``.
DEFAULT_IGNORE: tuple[str, ...] = (
    "spatial_ref_sys",
    "geometry_columns",
    "geography_columns",
    "raster_columns",
    "raster_overviews",
    "celery_taskmeta",
    "celery_tasksetmeta",
)

_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KNOWN_KEYS = {
    "services_dir",
    "ini_dir",
    "database_url",
    "ignore",
    "ignore_defaults",
    "concurrency",
    "trains_dir",
    "fleets_dir",
    "fleets",
    "legacy_version_table",
    "include_schemas",
    "tenants",
    "tenant_schemas",
    *EXTENSION_KEYS,
}


@dataclass(frozen=True)
class Settings:
    root: Path
    pyproject: Path
    services_dir: Path
    ini_dir: Path
    trains_dir: Path
    fleets_dir: Path
    database_url: str | None
    ignore: tuple[str, ...]
    concurrency: int
    #: The version table plain Alembic wrote before orchestrate took over (``adopt``).
    legacy_version_table: str = "alembic_version"
    #: ``[tool.orchestrate.fleets.NAME]`` tables as written (read by ``orchestrator.trains.fleets``).
    fleets: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: Schemas besides the default one whose tables orchestrate lists (unowned-table findings);
    #: the schemas the services use are listed anyway.
    include_schemas: tuple[str, ...] = ()
    #: Schema-per-tenant: the tenants' schemas, listed and/or found by a glob (docs/schemas.md).
    tenants: tuple[str, ...] = ()
    tenant_schemas: str | None = None
    #: Extension points for every service (dotted paths; docs/extensions.md).
    extensions: Declarations = Declarations()

    @property
    def state_dir(self) -> Path:
        """Where the embedded SQLite database and caches live."""
        return self.root / ".orchestrate"


def find_root(start: Path | None = None) -> Path:
    """The nearest folder, upward from ``start``, whose pyproject.toml has [tool.orchestrate]."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "tool" in (data := _read_toml(candidate)) and (
            "orchestrate" in data["tool"]
        ):
            return folder
    raise WorkspaceNotFound(
        f"no pyproject.toml with a [tool.orchestrate] table in {here} or any folder above it; "
        "run from inside a workspace or pass --root DIR"
    )


def load_settings(root: Path) -> Settings:
    root = root.resolve()
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        raise WorkspaceNotFound(
            f"{pyproject}: no such file; --root must name a workspace folder holding a "
            "pyproject.toml with [tool.orchestrate]"
        )
    table = _read_toml(pyproject).get("tool", {}).get("orchestrate")
    if not isinstance(table, dict):
        raise WorkspaceNotFound(f"{pyproject}: has no [tool.orchestrate] table")
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(unknown_keys(f"{pyproject}: [tool.orchestrate]", unknown, _KNOWN_KEYS))
    ignore = _string_list(pyproject, table, "ignore")
    if _typed(pyproject, table, "ignore_defaults", bool, True):
        ignore = [*DEFAULT_IGNORE, *ignore]
    concurrency = _typed(pyproject, table, "concurrency", int, 8)
    if concurrency < 1:
        raise ConfigError(f"{pyproject}: [tool.orchestrate] concurrency must be at least 1")
    url = _typed(pyproject, table, "database_url", str, None)
    # normalised, not resolved: a symlinked services folder stays where the workspace puts it
    services_dir = Path(os.path.normpath(
        root / _typed(pyproject, table, "services_dir", str, "services")))
    if not services_dir.is_relative_to(root):
        raise ConfigError(
            f"{pyproject}: [tool.orchestrate] services_dir = {table['services_dir']!r} is "
            f"outside the workspace {root}; the services are imported as packages from the "
            "workspace root, so their folder must be inside it"
        )
    return Settings(
        root=root,
        pyproject=pyproject,
        services_dir=services_dir,
        ini_dir=root / _typed(pyproject, table, "ini_dir", str, "alembic.ini.d"),
        trains_dir=root / _typed(pyproject, table, "trains_dir", str, "trains"),
        fleets_dir=root / _typed(pyproject, table, "fleets_dir", str, "fleets"),
        database_url=url or None,
        ignore=tuple(dict.fromkeys(ignore)),
        concurrency=concurrency,
        legacy_version_table=_typed(pyproject, table, "legacy_version_table", str,
                                    "alembic_version"),
        fleets=_typed(pyproject, table, "fleets", dict, {}),
        include_schemas=tuple(_string_list(pyproject, table, "include_schemas")),
        tenants=tuple(_tenant_names(pyproject, table)),
        tenant_schemas=_typed(pyproject, table, "tenant_schemas", str, None) or None,
        extensions=declarations(
            {key: _dotted_paths(pyproject, table, key) for key in EXTENSION_KEYS},
            pyproject, "[tool.orchestrate]"),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None


def _typed(path: Path, table: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    value = table.get(key, default)
    if value is not default and not isinstance(value, kind) or (
        kind is int and isinstance(value, bool)
    ):
        raise ConfigError(
            f"{path}: [tool.orchestrate] {key} must be a {kind.__name__}, got {value!r}"
        )
    return value


def _tenant_names(path: Path, table: dict[str, Any]) -> list[str]:
    names = _string_list(path, table, "tenants")
    for name in names:
        if not _SCHEMA_NAME.match(name):
            raise ConfigError(f"{path}: [tool.orchestrate] tenants: {name!r} is not a valid "
                              "schema name: use letters, digits and '_', not starting with a "
                              "digit")
    return list(dict.fromkeys(names))


def _dotted_paths(path: Path, table: dict[str, Any], key: str) -> list[str]:
    """A dotted path, or a list of them, as written."""
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{path}: [tool.orchestrate] {key} must be a dotted path (a string) "
                          f"or a list of them, got {value!r}")
    return [item.strip() for item in value if item.strip()]


def _string_list(path: Path, table: dict[str, Any], key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{path}: [tool.orchestrate] {key} must be a list of strings")
    return value
