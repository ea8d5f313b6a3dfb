"""Schema-per-tenant (PostgreSQL): one service's models in every tenant's schema, each tenant
with its own version rows; plan and upgrade for one tenant and for all; a tenant added later
is brought to head; a model change reaches every tenant."""
from __future__ import annotations

import json

import anyio
import pytest
from model_workspace import ModelWorkspace, postgres, sqlite  # noqa: F401  (a fixture)
from support import alembic, edit

from orchestrator.core.errors import ConfigError
from orchestrator.runtime import migrate
from orchestrator.runtime.orchestration import Orchestration

pytestmark = pytest.mark.postgres

DIRECTORY = '''
metadata = sa.MetaData(schema="shared")

tenants = sa.Table("tenants", metadata, sa.Column("id", sa.Integer, primary_key=True),
                   sa.Column("slug", sa.String(40), nullable=False, unique=True))
'''
CRM = '''
metadata = sa.MetaData()

sa.Table("tenants", metadata, sa.Column("id", sa.Integer, primary_key=True),
         schema="shared")  # the directory's: a stub (tables = below)
contacts = sa.Table(
    "contacts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("shared.tenants.id"), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
{extra})
'''


def crm(extra: str = "") -> str:
    return CRM.format(extra=extra)


@pytest.fixture
def pg(postgres):  # noqa: F811 -- the imported fixture, under a short name
    return postgres


@pytest.fixture
def ws(tmp_path) -> ModelWorkspace:
    ws = ModelWorkspace(tmp_path / "ws", 'tenants = ["acme", "globex", "initech"]\n')
    ws.service("directory", DIRECTORY)
    ws.service("crm", crm())
    edit(ws.root / "alembic.ini.d" / "crm.ini", "[orchestrate]\n",
         "[orchestrate]\nper_tenant = true\ntables = contacts\n")
    return ws


def plan(ws: ModelWorkspace, pg, *args: str) -> dict:
    outcome = ws.run("plan", "--json", *args, db=pg, code=None)
    assert outcome.exit_code in (0, 1), outcome.stderr
    return json.loads(outcome.stdout)


def steps(document: dict) -> list[tuple]:
    return [(s["service"], s.get("tenant")) for s in document["steps"]]


def versions(pg, tenant: str) -> list[str]:
    return pg.scalar_rows(f"SELECT version_num FROM {tenant}.alembic_version_crm")


def tables_in(pg, schema: str) -> list[str]:
    return pg.scalar_rows("SELECT table_name FROM information_schema.tables "
                          f"WHERE table_schema = '{schema}' ORDER BY table_name")


def test_three_tenants_and_a_shared_schema_one_then_all_then_a_fourth(ws, pg):
    written = ws.generate("initial", pg)
    assert len(written) == 2
    crm_revision = next(p for p in written if "contacts" in p.read_text())
    assert "schema=" not in crm_revision.read_text().split("def downgrade")[0].split(
        "'contacts'")[1].split(")\n")[0]  # created unqualified: in each tenant's schema

    one = plan(ws, pg, "--tenant", "acme")
    assert steps(one) == [("directory", None), ("crm", "acme")]
    assert [(s["service"], s["tenant"]) for s in one["services"]] == [
        ("directory", None), ("crm", "acme")]
    applied = json.loads(ws.run("upgrade", "--tenant", "acme", "--json", db=pg).stdout)
    assert steps(applied) == [("directory", None), ("crm", "acme")]
    assert tables_in(pg, "acme") == ["alembic_version_crm", "contacts"]
    assert tables_in(pg, "globex") == []
    assert tables_in(pg, "shared") == ["alembic_version_directory", "tenants"] or (
        tables_in(pg, "shared") == ["tenants"])

    every = plan(ws, pg)
    assert steps(every) == [("crm", "globex"), ("crm", "initech")]
    statuses = {(s["service"], s["tenant"]): s["status"] for s in every["services"]}
    assert statuses[("crm", "acme")] == "up-to-date"
    assert statuses[("crm", "globex")] == "pending"
    ws.run("upgrade", db=pg)
    head = versions(pg, "acme")
    assert head and versions(pg, "globex") == head == versions(pg, "initech")
    assert plan(ws, pg)["verdict"] == "clean"
    assert ws.check(pg)[0] == 0

    edit(ws.root / "pyproject.toml", '"initech"]', '"initech", "delta"]')
    later = plan(ws, pg)
    assert steps(later) == [("crm", "delta")]
    ws.run("upgrade", db=pg)
    assert versions(pg, "delta") == head
    assert plan(ws, pg)["verdict"] == "clean"

    # a model change reaches every tenant
    ws.models("crm", crm('    sa.Column("email", sa.String(200), nullable=True),\n'))
    code, report = ws.check(pg)
    changes = {s["service"]: [(c["operation"], c["object"]) for c in s["changes"]]
               for s in report["services"]}
    assert code == 1 and changes["crm"] == [("add_column", "email")]
    [change] = ws.generate("email", pg)
    ws.run("upgrade", db=pg)
    for tenant in ("acme", "globex", "initech", "delta"):
        columns = pg.scalar_rows("SELECT column_name FROM information_schema.columns WHERE "
                                 f"table_schema = '{tenant}' AND table_name = 'contacts'")
        assert "email" in columns, tenant
    assert ws.check(pg)[0] == 0 and ws.generate("again", pg) == []

    # one tenant down and up again, the others untouched
    first = head[0]
    ws.run("downgrade", f"crm@{first}", "--tenant", "globex", db=pg)
    assert versions(pg, "globex") == [first] and versions(pg, "acme") != [first]
    assert steps(plan(ws, pg)) == [("crm", "globex")]
    vanilla = alembic(ws.root, "crm", "-x", "tenant=globex", "upgrade", "head", url=pg.url)
    assert vanilla.returncode == 0, vanilla.stderr
    assert versions(pg, "globex") == versions(pg, "acme")
    current = alembic(ws.root, "crm", "-x", "tenant=acme", "current", url=pg.url)
    assert "(head)" in current.stdout, current.stderr


def test_tenants_found_by_a_pattern(tmp_path, pg):
    ws = ModelWorkspace(tmp_path / "ws", 'tenant_schemas = "tenant_*"\n')
    ws.service("directory", DIRECTORY)
    ws.service("crm", crm())
    edit(ws.root / "alembic.ini.d" / "crm.ini", "[orchestrate]\n",
         "[orchestrate]\nper_tenant = true\ntables = contacts\n")
    ws.generate("initial", pg)  # no tenant yet: crm cannot be compared, directory is
    assert len(ws.revisions("crm")) == 0 and len(ws.revisions("directory")) == 1
    ws.run("upgrade", db=pg)  # the shared service only: no tenant to apply crm to
    no_tenant = plan(ws, pg)
    assert [f["code"] for s in no_tenant["services"] for f in s["findings"]] == ["no-tenant"]
    for name in ("tenant_a", "tenant_b"):
        pg.execute(f"CREATE SCHEMA {name}")
    ws.generate("crm", pg)
    ws.run("upgrade", db=pg)
    assert versions(pg, "tenant_a") == versions(pg, "tenant_b") != []
    pg.execute("CREATE SCHEMA tenant_c")
    assert steps(plan(ws, pg)) == [("crm", "tenant_c")]
    ws.run("upgrade", db=pg)
    assert plan(ws, pg)["verdict"] == "clean"


def test_bad_tenant_input_is_exit_2(ws, pg):
    outcome = ws.run("upgrade", "--tenant", "nobody", db=pg, code=2)
    assert "unknown tenant 'nobody'" in outcome.stderr and "acme" in outcome.stderr
    vanilla = alembic(ws.root, "crm", "upgrade", "head", url=pg.url)
    assert vanilla.returncode != 0 and "-x tenant=NAME" in vanilla.stderr
    outcome = ws.run("upgrade", "--sql", db=pg, code=2)
    assert "--tenant NAME" in outcome.stderr
    assert len(ws.generate("initial", pg)) == 2
    orch = Orchestration.open(ws.root, pg.url)  # the library, for no tenant: refused
    with pytest.raises(ConfigError, match="'crm' is per tenant"):
        anyio.run(migrate.upgrade, orch)
    assert pg.tables() == []
    edit(ws.root / "alembic.ini.d" / "crm.ini", "per_tenant = true\n",
         "per_tenant = true\nschema = crm\n")
    outcome = ws.run("plan", db=pg, code=2)
    assert "crm.ini" in outcome.stderr and "per_tenant" in outcome.stderr
