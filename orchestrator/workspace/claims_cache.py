"""Who owns which table, kept under ``.orchestrate/`` so one service can run without the others.

``alembic -c alembic.ini.d/orders.ini current`` needs orders' models and the ownership registry
(what orders may compare, what it must leave alone); building the registry imports every
service's models. This cache keeps the registry of a workspace whose configuration was
checked whole, keyed by the content of every file it was built from:

- every module of the workspace (a file under its root) imported while loading the models:
  the models packages and what they import (``shared_db``, ...);
- every revision file (tables a history created), every service's ini and ``pyproject.toml``;
- the listing of each models package and revision folder, so a new file is seen too;
- the dialect the revisions were read for, and the code of orchestrate that builds claims.

Any difference and the entry is not used: the caller loads everything and checks it again.
A workspace that cannot be written to simply has no cache.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from orchestrator.history.revisions import revision_files
from orchestrator.workspace import entities, enum_types, model_loader, ownership
from orchestrator.workspace.ownership import Claim, OwnershipRegistry
from orchestrator.workspace.workspace import Workspace

FORMAT = 1
_FILE = "claims.json"


def cached_ownership(workspace: Workspace) -> OwnershipRegistry | None:
    """The registry stored for exactly the workspace's files as they are now, else None."""
    path = _path(workspace)
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != _context(workspace):
        return None
    root = workspace.root
    if stored.get("listing") != _listing(workspace):
        return None
    for relative, digest in stored.get("files", {}).items():
        if _digest(root / relative) != digest:
            return None
    return OwnershipRegistry(
        owners={table: Claim(*claim) for table, claim in stored["owners"].items()},
        ignore=tuple(workspace.settings.ignore),
        version_tables=workspace.version_tables,
        enum_owners={enum: Claim(*claim) for enum, claim in stored["enum_owners"].items()},
        entity_owners={name: Claim(*claim)
                       for name, claim in stored.get("entity_owners", {}).items()},
        schema_owners={schema: Claim(*claim)
                       for schema, claim in stored.get("schema_owners", {}).items()},
    )


def remember_ownership(workspace: Workspace) -> None:
    """Store the registry of a workspace whose models are loaded and configuration checked."""
    registry = workspace.ownership
    root = workspace.root
    files = _imported_files(workspace)
    for service in workspace.services.values():
        files += [*revision_files(service), service.ini_path]
    files.append(workspace.settings.pyproject)
    document: dict[str, Any] = {
        "key": _context(workspace),
        "listing": _listing(workspace),
        "files": {_relative(p, root): _digest(p) for p in sorted(set(files))},
        "owners": {t: [c.service, c.source] for t, c in sorted(registry.owners.items())},
        "enum_owners": {e: [c.service, c.source] for e, c in sorted(registry.enum_owners.items())},
        "entity_owners": {e: [c.service, c.source]
                          for e, c in sorted(registry.entity_owners.items())},
        "schema_owners": {s: [c.service, c.source]
                          for s, c in sorted(registry.schema_owners.items())},
    }
    path = _path(workspace)
    with contextlib.suppress(OSError):  # a read-only workspace: no cache, still correct
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            json.dump(document, out)
        os.replace(temporary, path)


def _path(workspace: Workspace) -> Path:
    return workspace.settings.state_dir / _FILE


def _context(workspace: Workspace) -> list[str]:
    """What the registry depends on besides the workspace's files."""
    code = hashlib.blake2b(digest_size=8)
    for module in (ownership, enum_types, entities, model_loader,
                   sys.modules[Workspace.__module__]):
        code.update(Path(module.__file__ or "").read_bytes())
    return [str(FORMAT), workspace.dialect, code.hexdigest()]


def _listing(workspace: Workspace) -> dict[str, list[str]]:
    """Every service's revision files and model files, by name (new or removed files)."""
    root = workspace.root
    listing: dict[str, list[str]] = {}
    for name in workspace.names:
        service = workspace.services[name]
        models = root.joinpath(*service.models.split("."))
        listing[name] = sorted(
            [_relative(p, root) for p in revision_files(service)]
            + [_relative(p, root) for p in models.rglob("*.py") if "__pycache__" not in p.parts])
    return listing


def _imported_files(workspace: Workspace) -> list[Path]:
    """The files of every module imported from under the workspace's root (the models and
    what they import) or from a models package, wherever it lives."""
    root = workspace.root.resolve()
    packages = tuple(service.models for service in workspace.services.values())
    found = []
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None)
        if not filename or not filename.endswith(".py"):
            continue
        path = Path(filename).resolve()
        inside = path.is_relative_to(root) or any(
            name == package or name.startswith(f"{package}.") for package in packages)
        if inside and path.is_file():
            found.append(path)
    return found


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()


def _digest(path: Path) -> str | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None
