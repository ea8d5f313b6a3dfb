"""A service: one Alembic ini in the ini folder, its models package and its migrations."""
from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config

from orchestrator.config.extensions import KEYS as EXTENSION_KEYS
from orchestrator.config.extensions import Declarations, declarations
from orchestrator.core.errors import ServiceConfigError, unknown_keys

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LIST_SPLIT = re.compile(r"[\s,]+")
_KNOWN_KEYS = {"service", "models", "metadata", "tables", "depends_on", "version_table",
               "schema", "version_table_schema", "per_tenant", *EXTENSION_KEYS}


@dataclass(frozen=True)
class Service:
    name: str
    ini_path: Path
    script_location: Path
    models: str
    metadata_attr: str | None
    tables: tuple[str, ...] | None
    depends_on: tuple[str, ...]
    version_table: str
    #: The schema the service owns whole (PostgreSQL), if any: every table in it is its own.
    schema: str | None = None
    #: Where its version table lives: ``version_table_schema =``, else ``schema``, else the
    #: database's default schema (None).
    version_table_schema: str | None = None
    #: Schema-per-tenant (``per_tenant = true``): its tables live in every tenant's schema.
    per_tenant: bool = False
    #: The tenant this Service is the view of (``runtime.tenants.for_tenant``), else None.
    tenant: str | None = None
    #: Extension points (dotted paths): the workspace's, then the ini's own.
    extensions: Declarations = Declarations()

    @property
    def versions_dir(self) -> Path:
        return self.script_location / "versions"

    @property
    def template(self) -> Path:
        """The Mako template Alembic writes this service's new revisions from."""
        return self.script_location / "script.py.mako"

    def require_template(self) -> Path:
        """The template, or a clear error naming where it should be (exit 2)."""
        if not self.template.is_file():
            raise ServiceConfigError(
                self.ini_path,
                f"service {self.name!r} has no revision template {self.template}; Alembic "
                "writes new revisions from it. Copy one from another service (or Alembic's "
                "generic script.py.mako, adding a `requires: list[str] = ...` line after "
                "depends_on, as the example services' templates do)",
            )
        return self.template

    def require_writable(self) -> Path:
        """The template, and a versions folder new revisions can be written into (exit 2)."""
        self.require_template()
        if not os.access(self.versions_dir, os.W_OK | os.X_OK):
            raise ServiceConfigError(
                self.ini_path,
                f"service {self.name!r}: its versions folder {self.versions_dir} is not "
                "writable; a new revision cannot be written there",
            )
        return self.template

    def alembic_config(self) -> Config:
        """The plain Alembic Config of this service, exactly as ``alembic -c`` would read it."""
        config = Config(str(self.ini_path))
        config.attributes["orchestrate.service"] = self.name
        return config


def declared_services(ini_dir: Path) -> dict[str, Path]:
    """The service each ini of ``ini_dir`` declares (``[orchestrate] service``, else its file
    name), read without checking anything else; an unreadable ini is left out (every command
    that loads the workspace reports it)."""
    found: dict[str, Path] = {}
    for ini in sorted(ini_dir.glob("*.ini")):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(ini, encoding="utf-8")
        except configparser.Error:
            continue
        name = parser.get("orchestrate", "service", fallback="").strip() or ini.stem
        found.setdefault(name, ini)
    return found


def is_valid_name(name: str) -> bool:
    """Whether ``name`` can name a service (or a table orchestrate puts into SQL)."""
    return bool(_NAME.match(name))


def default_version_table(service: str) -> str:
    return f"alembic_version_{service}"


def read_service(ini_path: Path, services_package: str) -> Service:
    """Parse one ``alembic.ini.d/<service>.ini``; every problem names the file and the key."""
    parser = configparser.ConfigParser(defaults={"here": str(ini_path.parent)})
    try:
        read = parser.read(ini_path, encoding="utf-8")
    except configparser.Error as error:
        raise ServiceConfigError(ini_path, f"not a valid ini file: {_one_line(error)}") from None
    if not read:
        raise ServiceConfigError(ini_path, "cannot be read")
    if not parser.has_section("alembic"):
        raise ServiceConfigError(ini_path, "has no [alembic] section")
    try:
        location = parser.get("alembic", "script_location", fallback="").strip()
        section = dict(parser.items("orchestrate")) if parser.has_section("orchestrate") else {}
    except configparser.Error as error:
        raise ServiceConfigError(ini_path, _one_line(error)) from None
    section.pop("here", None)
    if not parser.has_section("orchestrate"):
        raise ServiceConfigError(
            ini_path,
            "has no [orchestrate] section; add one with at least `service = <name>`",
        )
    unknown = sorted(set(section) - _KNOWN_KEYS)
    if unknown:
        raise ServiceConfigError(ini_path, unknown_keys("[orchestrate]", unknown, _KNOWN_KEYS))
    name = section.get("service", "").strip() or ini_path.stem
    if not _NAME.match(name):
        raise ServiceConfigError(ini_path, f"[orchestrate] service = {name!r} is not a valid name")
    if not location:
        raise ServiceConfigError(ini_path, "[alembic] script_location is missing")
    script_location = Path(location)
    if not script_location.is_absolute():
        script_location = ini_path.parent / script_location
    script_location = script_location.resolve()
    if not (script_location / "env.py").is_file():
        raise ServiceConfigError(
            ini_path, f"[alembic] script_location {script_location} has no env.py"
        )
    version_table = section.get("version_table", "").strip() or default_version_table(name)
    if not _NAME.match(version_table):
        raise ServiceConfigError(
            ini_path, f"[orchestrate] version_table = {version_table!r} is not a valid table "
            "name: use letters, digits and '_', not starting with a digit")
    tables = _list(section.get("tables"))
    schemas = {key: _schema_name(ini_path, section, key)
               for key in ("schema", "version_table_schema")}
    per_tenant = section.get("per_tenant", "").strip().lower()
    if per_tenant not in ("", "true", "false", "yes", "no", "1", "0"):
        raise ServiceConfigError(ini_path, f"[orchestrate] per_tenant = {per_tenant!r}: "
                                 "write true or false")
    if per_tenant in ("true", "yes", "1") and (schemas["schema"]
                                               or schemas["version_table_schema"]):
        raise ServiceConfigError(
            ini_path, "[orchestrate] per_tenant = true: the service's tables and version "
            "table live in each tenant's schema; remove schema = / version_table_schema =")
    return Service(
        name=name,
        ini_path=ini_path.resolve(),
        script_location=script_location,
        models=section.get("models", "").strip() or f"{services_package}.{name}.models",
        metadata_attr=section.get("metadata", "").strip() or None,
        tables=tuple(tables) if tables else None,
        depends_on=tuple(_list(section.get("depends_on"))),
        version_table=version_table,
        schema=schemas["schema"],
        per_tenant=per_tenant in ("true", "yes", "1"),
        version_table_schema=schemas["version_table_schema"] or schemas["schema"],
        extensions=declarations({key: _list(section.get(key)) for key in EXTENSION_KEYS},
                                ini_path.resolve(), "[orchestrate]"),
    )


def _schema_name(ini_path: Path, section: dict[str, str], key: str) -> str | None:
    value = section.get(key, "").strip()
    if value and not _NAME.match(value):
        raise ServiceConfigError(
            ini_path, f"[orchestrate] {key} = {value!r} is not a valid schema name: use "
            "letters, digits and '_', not starting with a digit")
    return value or None


def _list(value: str | None) -> list[str]:
    return [item for item in _LIST_SPLIT.split(value or "") if item]


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
