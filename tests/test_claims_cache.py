"""The claims cache: one vanilla ``alembic -c`` call loads its own service's models only, and
never uses ownership built from files that have changed since."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import alembic

from orchestrator.core.errors import OwnershipError
from orchestrator.runtime.database import async_url
from orchestrator.runtime.single_service import single_service
from orchestrator.workspace.claims_cache import cached_ownership
from orchestrator.workspace.workspace import Workspace

_PROBE = """
import atexit, json, sys
atexit.register(lambda: print("MODULES " + json.dumps(sorted(sys.modules)), file=sys.stderr))
from alembic.config import main
main(argv=sys.argv[1:])
"""


def load(root: Path, service: str = "orders"):
    """A fresh workspace, as one ``alembic -c`` process sees it: (MetaData, registry)."""
    ws = Workspace.load(root)
    url = async_url(f"sqlite:///{root / 'db.sqlite'}", "test")
    return ws, single_service(ws, ws.service(service), url)


def fresh(root: Path) -> Workspace:
    ws = Workspace.load(root)
    ws.read_for("sqlite")
    return ws


def models_loaded_by_alembic(root: Path, service: str, url: str) -> set[str]:
    env = {**os.environ, "ORCHESTRATE_DATABASE_URL": url, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "-c", str(root / "alembic.ini.d" / f"{service}.ini"),
         "current"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(l for l in done.stderr.splitlines() if l.startswith("MODULES "))
    modules = json.loads(line.removeprefix("MODULES "))
    return {m.split(".")[1] for m in modules if m.startswith("services.") and ".models" in m}


def test_one_alembic_call_imports_only_its_services_models_once_cached(example, db):
    assert alembic(example, "users", "upgrade", "head", url=db.url).returncode == 0
    every = models_loaded_by_alembic(example, "orders", db.url)  # after upgrade: cached
    assert every == {"orders"}
    assert (example / ".orchestrate" / "claims.json").is_file()
    Path(example / "services" / "users" / "models" / "roles.py").write_text(
        Path(example / "services" / "users" / "models" / "roles.py").read_text() + "\n# edit\n")
    assert len(models_loaded_by_alembic(example, "orders", db.url)) == 5  # rebuilt, all loaded
    assert models_loaded_by_alembic(example, "orders", db.url) == {"orders"}


def test_the_cached_registry_is_the_one_built_from_every_model(example):
    ws, (metadata, registry) = load(example)
    assert "orders" in metadata.tables
    cached = cached_ownership(fresh(example))
    assert cached is not None
    assert (cached.owners, cached.enum_owners) == (registry.owners, registry.enum_owners)
    assert (cached.ignore, cached.version_tables) == (registry.ignore, registry.version_tables)


def _new_model(root: Path, service: str, module: str, table: str) -> None:
    (root / "services" / service / "models" / f"{module}.py").write_text(
        "import sqlalchemy as sa\n"
        f"from services.{service}.models import metadata\n\n"
        f"{table} = sa.Table('{table}', metadata, sa.Column('id', sa.Integer, primary_key=True))\n")


@pytest.mark.parametrize("change", ["new model file", "edited model", "new revision",
                                    "edited shared module", "edited ini"])
def test_any_change_to_what_ownership_comes_from_is_seen(example, change):
    load(example)
    assert cached_ownership(fresh(example)) is not None
    users = example / "services" / "users" / "models"
    if change == "new model file":
        _new_model(example, "users", "audit", "user_audit")
    elif change == "edited model":
        (users / "roles.py").write_text((users / "roles.py").read_text().replace(
            '"user_roles"', '"user_roles_v2"'))
    elif change == "new revision":
        versions = example / "services" / "users" / "migrations" / "versions"
        first = sorted(versions.glob("*.py"))[0]
        (versions / "zz_copy.py").write_text(first.read_text())
    elif change == "edited shared module":
        shared = example / "shared_db" / "__init__.py"
        shared.write_text(shared.read_text() + "\n# edited\n")
    else:
        ini = example / "alembic.ini.d" / "users.ini"
        ini.write_text(ini.read_text().replace("depends_on = tenants", "depends_on = tenants\n"
                                               "tables = users, user_roles, api_keys"))
    assert cached_ownership(fresh(example)) is None
    if change == "new model file":
        _, (_, registry) = load(example)
        assert registry.owner("user_audit") == "users"


def test_an_overlap_made_after_caching_is_still_refused(example):
    load(example)
    _new_model(example, "users", "stolen", "invoice_lines")  # invoices' table, in users too
    with pytest.raises(OwnershipError, match="invoice_lines"):
        load(example)


def test_one_service_loads_alone_at_the_end_of_a_long_chain_of_model_imports(tmp_path):
    from benchmarks import synthetic

    root = synthetic.build(tmp_path / "ws", 150, 1)  # each service's models import the last's
    ws = Workspace.load(root)
    assert "s149_t000" in ws.service_metadata("s149").tables
