"""A fleet: many databases with the same services and migrations, each with a stable name.

Declared in ``<fleets_dir>/<name>.toml`` or in ``[tool.orchestrate.fleets.<name>]``::

    description = "one database per tenant"
    concurrency = 8                      # databases worked on at once (--concurrency wins)

    [databases]                          # name = URL; ${VAR} is the environment variable VAR
    acme = "postgresql://app@db1:5432/acme"
    globex = "${GLOBEX_DATABASE_URL}"

    [[catalogs]]                         # more databases: a query returning (name, url) rows
    url = "${CATALOG_DATABASE_URL}"
    query = "SELECT name, url FROM tenants WHERE active"

Secrets are written only by reference: a password spelled out in the file is refused, and a
URL is only ever shown with its password hidden. Every problem names the file and the key
(exit 2).
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL

from orchestrator.config.settings import Settings
from orchestrator.core.errors import ConfigError, DatabaseError, did_you_mean, unknown_keys
from orchestrator.runtime.database import async_url, connect, redact

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KNOWN_KEYS = ("description", "concurrency", "databases", "catalogs")


class FleetError(ConfigError):
    """A fleet declaration is missing or wrong; names the file and the key (exit 2)."""

    def __init__(self, source: str, key: str | None, message: str) -> None:
        super().__init__(f"{source}: {key + ': ' if key else ''}{message}")
        self.source = source
        self.key = key


@dataclass(frozen=True)
class Member:
    """One database of the fleet."""

    name: str
    url: URL = field(repr=False)

    @property
    def shown_url(self) -> str:
        return redact(self.url)


@dataclass(frozen=True)
class Catalog:
    url: URL = field(repr=False)
    query: str
    key: str  # where it is declared, for messages: "catalogs[0]"


@dataclass(frozen=True)
class FleetManifest:
    name: str
    source: str  # the file, or "pyproject.toml [tool.orchestrate.fleets.NAME]"
    description: str | None
    concurrency: int
    databases: tuple[Member, ...]
    catalogs: tuple[Catalog, ...]


def check_fleet_name(name: str) -> str:
    if not _NAME.match(name):
        raise ConfigError(
            f"fleet name {name!r} is not valid: use letters, digits, '_', '.' and '-' "
            "(it names the file <fleets_dir>/<name>.toml)"
        )
    return name


def load_fleet(settings: Settings, name: str) -> FleetManifest:
    """Read and check a fleet's declaration; catalogs are queried by :func:`members`."""
    check_fleet_name(name)
    path = settings.fleets_dir / f"{name}.toml"
    in_pyproject = settings.fleets.get(name)
    if path.is_file() and in_pyproject is not None:
        raise FleetError(str(path), None, f"fleet {name!r} is also declared in "
                         f"{settings.pyproject} [tool.orchestrate.fleets.{name}]; keep one")
    if in_pyproject is not None:
        source = f"{settings.pyproject} [tool.orchestrate.fleets.{name}]"
        if not isinstance(in_pyproject, dict):
            raise FleetError(source, None, "must be a table")
        return _parse(name, source, in_pyproject, settings)
    if not path.is_file():
        known = sorted({p.stem for p in settings.fleets_dir.glob("*.toml")} | set(settings.fleets))
        raise ConfigError(f"no fleet {name!r}" + did_you_mean(name, known)
                          + f"\n{path} does not exist and {settings.pyproject} has no "
                          f"[tool.orchestrate.fleets.{name}]\nknown fleets: "
                          f"{', '.join(known) or '(none)'}")
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise FleetError(str(path), None, f"not valid TOML: {error}") from None
    except OSError as error:
        raise FleetError(str(path), None, f"cannot be read: {error.strerror}") from None
    return _parse(name, str(path), data, settings)


def _parse(name: str, source: str, data: dict[str, Any], settings: Settings) -> FleetManifest:
    unknown = sorted(set(data) - set(_KNOWN_KEYS))
    if unknown:
        raise FleetError(source, None, unknown_keys("the fleet", unknown, _KNOWN_KEYS))
    description = data.get("description")
    if description is not None and not isinstance(description, str):
        raise FleetError(source, "description", "must be a string")
    concurrency = data.get("concurrency", settings.concurrency)
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise FleetError(source, "concurrency", f"must be a whole number of at least 1, got "
                         f"{concurrency!r}")
    databases = data.get("databases", {})
    if not isinstance(databases, dict):
        raise FleetError(source, "databases", "must be a table of name = URL")
    members = []
    for member, value in databases.items():
        key = f"databases.{member}"
        if not _NAME.match(member):
            raise FleetError(source, key, "a database name uses letters, digits, '_', '.', '-'")
        members.append(Member(member, _url(source, key, value)))
    catalogs_data = data.get("catalogs", [])
    if not isinstance(catalogs_data, list) or not all(isinstance(c, dict) for c in catalogs_data):
        raise FleetError(source, "catalogs", "must be an array of tables ([[catalogs]])")
    catalogs = []
    for index, entry in enumerate(catalogs_data):
        key = f"catalogs[{index}]"
        extra = sorted(set(entry) - {"url", "query"})
        if extra:
            raise FleetError(source, key, f"unknown key(s) {', '.join(extra)}; a catalog has "
                             "url and query")
        query = entry.get("query")
        if not isinstance(query, str) or not query.strip():
            raise FleetError(source, f"{key}.query", "must be a query returning (name, url) rows")
        catalogs.append(Catalog(_url(source, f"{key}.url", entry.get("url")), query, key))
    if not members and not catalogs:
        raise FleetError(source, None, "names no database: add [databases] or [[catalogs]]")
    return FleetManifest(name, source, description, concurrency, tuple(members),
                         tuple(catalogs))


def _url(source: str, key: str, value: object) -> URL:
    """A URL from the declaration: ``${VAR}`` expanded; a password written out is refused."""
    if not isinstance(value, str) or not value.strip():
        raise FleetError(source, key, "must be a database URL or \"${ENV_VAR}\"")
    if not _VARIABLE.fullmatch(value.strip()):
        shape = async_url(_VARIABLE.sub("ENV", value), f"{source}: {key}")
        if shape.password and not _VARIABLE.search(value.partition("@")[0]):
            raise FleetError(source, key, "spells out a password; keep secrets out of files: "
                             "write the URL (or just its password) as ${ENV_VAR}")

    def expand(match: re.Match[str]) -> str:
        variable = match.group(1)
        if variable not in os.environ:
            raise FleetError(source, key, f"environment variable {variable} is not set")
        return os.environ[variable]

    return async_url(_VARIABLE.sub(expand, value), f"{source}: {key}")


async def members(manifest: FleetManifest) -> list[Member]:
    """Every database of the fleet, by name: those declared, then those the catalogs list."""
    found: dict[str, tuple[Member, str]] = {}

    def add(member: Member, origin: str) -> None:
        if member.name in found:
            raise FleetError(manifest.source, origin, f"database {member.name!r} is also listed "
                             f"by {found[member.name][1]}; names must be unique")
        found[member.name] = (member, origin)

    for member in manifest.databases:
        add(member, f"databases.{member.name}")
    for catalog in manifest.catalogs:
        for name, url in await _query(manifest, catalog):
            origin = f"{catalog.key} (row {name!r})"
            if not isinstance(name, str) or not _NAME.match(name):
                raise FleetError(manifest.source, catalog.key, f"the query returned a database "
                                 f"name {name!r}; names use letters, digits, '_', '.', '-'")
            if not isinstance(url, str):
                raise FleetError(manifest.source, origin, "the query's second column must be "
                                 "the database URL as text")
            add(Member(name, async_url(url, f"{manifest.source}: {origin}")), origin)
    return sorted((member for member, _ in found.values()), key=lambda m: m.name)


async def _query(manifest: FleetManifest, catalog: Catalog) -> list[tuple[Any, Any]]:
    try:
        async with connect(catalog.url) as connection:
            result = await connection.execute(text(catalog.query))
            rows = [tuple(row) for row in result]
    except DatabaseError:
        raise
    except Exception as error:  # the query itself is wrong: the user's input
        raise FleetError(manifest.source, f"{catalog.key}.query",
                         f"failed on {redact(catalog.url)}: "
                         f"{str(getattr(error, 'orig', None) or error).splitlines()[0]}"
                         ) from None
    if rows and len(rows[0]) != 2:
        raise FleetError(manifest.source, f"{catalog.key}.query",
                         f"must return two columns (name, url), got {len(rows[0])}")
    return rows
