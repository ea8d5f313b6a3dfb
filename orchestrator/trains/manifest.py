"""A release train's manifest: ``<trains_dir>/<name>.toml`` in the workspace.

    description = "Spring release: invoices v2"
    lock_timeout = "5s"          # PostgreSQL: SET LOCAL in every step's transaction
    statement_timeout = "15min"
    with_requirements = false    # also apply other services' revisions the targets require

    [targets]
    users = "head"
    orders = "b7e3d90f1c56"

Every problem is a :class:`ManifestError` naming the file and the key. The targets are upgrade
targets only: one behind the database, or one that would need a downgrade, is refused.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestrator.config.settings import Settings
from orchestrator.core.errors import ConfigError, RevisionError, did_you_mean
from orchestrator.history.revision_graph import RevisionGraph
from orchestrator.history.revisions import ServiceHistory
from orchestrator.runtime.sequencer import Sequencer, Step
from orchestrator.runtime.state import DatabaseState

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: PostgreSQL durations: a number (milliseconds) or a number with a unit.
_DURATION = re.compile(r"^\d+(\.\d+)?\s*(us|ms|s|min|h|d)?$")
TIMEOUT_KEYS = ("lock_timeout", "statement_timeout")
_KNOWN_KEYS = ("description", *TIMEOUT_KEYS, "with_requirements", "targets")


class ManifestError(ConfigError):
    """A train manifest is missing or wrong; names the file and the key (exit 2)."""

    def __init__(self, path: Path, key: str | None, message: str) -> None:
        super().__init__(f"{path}: {key + ': ' if key else ''}{message}")
        self.path = path
        self.key = key


@dataclass(frozen=True)
class TrainManifest:
    name: str
    path: Path
    targets: dict[str, str]  # as written: service -> revision, prefix, "head" or "base"
    revisions: dict[str, str | None]  # resolved: service -> full revision id (None: base)
    description: str | None = None
    timeouts: tuple[tuple[str, str], ...] = ()
    with_requirements: bool = False

    def to_dict(self) -> dict:
        return {"name": self.name, "path": self.path.as_posix(), "description": self.description,
                "targets": self.targets, "revisions": self.revisions,
                "timeouts": dict(self.timeouts), "with_requirements": self.with_requirements}


def check_train_name(name: str) -> str:
    if not _NAME.match(name):
        raise ConfigError(
            f"train name {name!r} is not valid: use letters, digits, '_', '.' and '-' "
            "(it names the file <trains_dir>/<name>.toml)"
        )
    return name


def manifest_path(settings: Settings, name: str) -> Path:
    return settings.trains_dir / f"{check_train_name(name)}.toml"


def load_manifest(settings: Settings, name: str,
                  histories: Mapping[str, ServiceHistory]) -> TrainManifest:
    """Read and check ``<trains_dir>/<name>.toml`` against the revisions (no database)."""
    path = manifest_path(settings, name)
    if not path.is_file():
        known = sorted(p.stem for p in settings.trains_dir.glob("*.toml"))
        raise ManifestError(path, None, "no such train manifest" + did_you_mean(name, known)
                            + "\nknown trains: "
                            + (", ".join(known) or f"none (the folder {settings.trains_dir} "
                               "holds no *.toml)"))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise ManifestError(path, None, f"not valid TOML: {error}") from None
    unknown = sorted(set(data) - set(_KNOWN_KEYS))
    if unknown:
        raise ManifestError(path, unknown[0], "unknown key" + did_you_mean(unknown[0], _KNOWN_KEYS)
                            + f"\nknown keys: {', '.join(_KNOWN_KEYS)}")
    description = _typed(path, data, "description", str)
    with_requirements = _typed(path, data, "with_requirements", bool) or False
    timeouts = []
    for key in TIMEOUT_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            value = str(value)
        if not isinstance(value, str) or not _DURATION.match(value.strip()):
            raise ManifestError(path, key, f"{value!r} is not a PostgreSQL duration; write "
                                "milliseconds as a number, or a string such as \"5s\", "
                                "\"500ms\", \"15min\"")
        timeouts.append((key, value.strip()))
    targets = data.get("targets")
    if not isinstance(targets, dict) or not targets:
        raise ManifestError(path, "targets", "missing or empty: the train needs a [targets] table "
                            "naming a revision (or \"head\") per service")
    revisions: dict[str, str | None] = {}
    for service, ref in targets.items():
        key = f"targets.{service}"
        if service not in histories:
            raise ManifestError(path, key, f"unknown service; the workspace has: "
                                f"{', '.join(sorted(histories))}")
        if not isinstance(ref, str) or not ref.strip():
            raise ManifestError(path, key, f"must be a revision id (or \"head\"), got {ref!r}")
        try:
            revisions[service] = histories[service].resolve(ref.strip())
        except RevisionError as error:
            raise ManifestError(path, key, error.message) from None
    return TrainManifest(name, path, {s: r.strip() for s, r in targets.items()}, revisions,
                         description, tuple(timeouts), with_requirements)


def _typed(path: Path, data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if value is not None and not isinstance(value, kind):
        raise ManifestError(path, key, f"must be a {kind.__name__}, got {value!r}")
    return value


def resolve_targets(manifest: TrainManifest, histories: Mapping[str, ServiceHistory],
                    state: DatabaseState) -> dict[str, str]:
    """Each target as a full revision id, refusing any that is not ahead of the database.

    A ``base`` target of a service with nothing applied asks for nothing and is left out.
    """
    resolved: dict[str, str] = {}
    for service, target in manifest.revisions.items():
        key = f"targets.{service}"
        history = histories[service]
        try:
            applied = history.applied(state.heads_of(service))
        except RevisionError as error:
            raise ManifestError(manifest.path, key, error.message) from None
        extra = applied - history.needed_for(target)
        if extra and (target is None or target in applied):
            raise ManifestError(
                manifest.path, key,
                f"the target {target or 'base'} is behind the database, which is at "
                f"{', '.join(state.heads_of(service))}; a train only upgrades (to go back, use "
                f"`orchestrate downgrade {service}@{target or 'base'}`)")
        if extra:
            raise ManifestError(
                manifest.path, key,
                f"reaching {target} would need a downgrade: the database has "
                f"{', '.join(sorted(extra))} applied, which {target} does not build on; a "
                "train never mixes directions")
        if target is not None:
            resolved[service] = target
    return resolved


def train_steps(manifest: TrainManifest, graph: RevisionGraph,
                state: DatabaseState) -> list[Step]:
    """The ordered upgrade steps that bring the database to the manifest's targets."""
    targets = resolve_targets(manifest, graph.histories, state)
    if not targets:
        return []
    try:
        return Sequencer(graph, state).upgrade(targets, manifest.with_requirements)
    except RevisionError as error:
        raise ManifestError(
            manifest.path, "targets",
            f"{error.message} (in a train: add the required services to [targets], or set "
            "`with_requirements = true`)") from None
