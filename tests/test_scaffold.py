"""``orchestrate init`` and ``new-service``: a workspace that works at once, nothing overwritten;
and the layout findings (a service folder without an ini, an ini without a folder of its own)."""
from __future__ import annotations

import configparser
import json
import tomllib
from pathlib import Path

import pytest
from support import REPO, alembic, orchestrate, write

from orchestrator.workspace.scaffold import service_files, service_ini, template

ACCOUNTS = '''import sqlalchemy as sa

from services.accounts.models import metadata

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(200), nullable=False, unique=True),
)
'''
BILLING = '''import sqlalchemy as sa

from services.accounts.models.tables import accounts
from services.billing.models import metadata

invoices = sa.Table(
    "invoices", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey(accounts.c.id), nullable=False, index=True),
    sa.Column("total", sa.Numeric(12, 2), nullable=False, server_default="0"),
)
'''


def run(root: Path, *args: str, url: str | None = None, code: int = 0):
    outcome = orchestrate(root, *args, url=url)
    assert outcome.exit_code == code, (args, outcome.stdout, outcome.stderr)
    return outcome


def test_init_and_three_services_work_at_once(tmp_path: Path, db) -> None:
    root = tmp_path / "fresh"
    run(root, "init")
    for name in ("accounts", "billing", "audit"):
        run(root, "new-service", name)
    plan = json.loads(run(root, "plan", "--json", url=db.url).stdout)
    assert plan["exit_code"] == 0 and plan["steps"] == []
    assert {f["code"] for s in plan["services"] for f in s["findings"]} == {"no-tables"}
    for name in ("accounts", "billing", "audit"):  # vanilla Alembic, before any revision
        current = alembic(root, name, "current", url=db.url)
        assert current.returncode == 0, current.stderr
    write(root / "services/accounts/models/tables.py", ACCOUNTS)
    write(root / "services/billing/models/tables.py", BILLING)
    generated = json.loads(run(root, "generate", "-m", "initial", "--json", url=db.url).stdout)
    written = {e["service"]: e["written"] for e in generated["services"] if e["written"]}
    assert sorted(written) == ["accounts", "billing"]
    accounts_rev = written["accounts"]["revision"]
    assert written["billing"]["requires"] == [f"accounts:{accounts_rev}"]
    run(root, "upgrade", url=db.url)
    run(root, "check", url=db.url)
    assert {"accounts", "invoices"} <= set(db.tables())
    current = alembic(root, "accounts", "current", url=db.url)
    assert current.returncode == 0 and f"{accounts_rev} (head)" in current.stdout, current.stderr
    assert (root / ".gitignore").read_text() == ".orchestrate/\n"


def test_nothing_is_overwritten(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    run(root, "init")
    again = run(root, "init", code=2)
    assert again.stderr.startswith(f"error: refusing to overwrite {root / 'pyproject.toml'}")
    run(root, "new-service", "shop")
    twice = run(root, "new-service", "shop", code=2)
    assert str(root / "alembic.ini.d" / "shop.ini") in twice.stderr
    stray = write(root / "services/cart/migrations/env.py", "# someone's own\n")
    refused = run(root, "new-service", "cart", code=2)
    assert f"refusing to overwrite {stray}" in refused.stderr
    assert stray.read_text() == "# someone's own\n"
    assert not (root / "alembic.ini.d/cart.ini").exists()  # checked before the first write
    assert not (root / "services/cart/models").exists()


def test_init_extends_an_existing_project(tmp_path: Path) -> None:
    root = tmp_path / "project"
    project = '[project]\nname = "shop"\n\n[tool.ruff]\nline-length = 100'  # no final newline
    write(root / "pyproject.toml", project)
    write(root / ".gitignore", "*.pyc\n")
    document = json.loads(run(root, "init", "--json").stdout)
    assert document["appended"] == ["pyproject.toml", ".gitignore"]
    assert "pyproject.toml" not in document["created"]
    settings = tomllib.loads((root / "pyproject.toml").read_text())
    assert settings["project"]["name"] == "shop" and settings["tool"]["ruff"]
    assert settings["tool"]["orchestrate"]["services_dir"] == "services"
    assert (root / ".gitignore").read_text().splitlines()[0] == "*.pyc"
    assert ".orchestrate/" in (root / ".gitignore").read_text().splitlines()
    other = tmp_path / "other"
    write(other / ".gitignore", ".orchestrate/\n")
    assert ".gitignore" not in json.loads(run(other, "init", "--json").stdout)["appended"]


@pytest.mark.parametrize("name", ["2fast", "my-service", "class", "a.b"])
def test_a_name_that_cannot_be_a_service(tmp_path: Path, name: str) -> None:
    run(tmp_path, "init")
    refused = run(tmp_path, "new-service", name, code=2)
    assert f"{name!r} cannot name a service" in refused.stderr
    assert list((tmp_path / "alembic.ini.d").iterdir()) == []


def test_new_service_needs_a_workspace_and_its_naming_convention(tmp_path: Path) -> None:
    assert "no such file" in run(tmp_path, "new-service", "shop", code=2).stderr
    write(tmp_path / "pyproject.toml", "[tool.orchestrate]\n")
    refused = run(tmp_path, "new-service", "shop", code=2)
    assert "shared_db" in refused.stderr and "orchestrate init" in refused.stderr


def test_a_service_folder_without_an_ini_is_a_finding(example: Path, db) -> None:
    run(example, "upgrade", url=db.url)
    write(example / "services/payments/migrations/env.py", template("env.py.tmpl",
                                                                    name="payments"))
    plan = json.loads(run(example, "plan", "--json", url=db.url, code=1).stdout)
    (finding,) = [f for f in plan["findings"] if f["code"] == "service-folder-without-ini"]
    assert "services/payments" in finding["message"]
    assert "alembic.ini.d/payments.ini" in finding["message"]
    check = json.loads(run(example, "check", "--json", url=db.url, code=1).stdout)
    assert [p["path"] for p in check["layout"]] == ["services/payments"]


def test_an_ini_without_a_service_folder_of_its_own_is_a_finding(example: Path, db) -> None:
    """An ini copied from another service, its script_location left as it was."""
    copy = (example / "alembic.ini.d/tenants.ini").read_text().replace(
        "service = tenants", "service = payments")
    write(example / "alembic.ini.d/payments.ini", copy)
    plan = json.loads(run(example, "plan", "--json", url=db.url, code=1).stdout)
    (finding,) = [f for f in plan["findings"] if f["code"] == "services-share-a-folder"]
    assert finding["message"].startswith(
        "payments.ini and tenants.ini both keep their migrations in services/tenants")


def test_the_bundled_example_is_laid_out_from_the_templates() -> None:
    """One source: every bundled service's env.py, revision template and ini settings are
    what new-service writes; shared_db's naming convention is what init writes."""
    assert (REPO / "shared_db/naming.py").read_text() == template("naming.py.tmpl")
    for ini in sorted((REPO / "alembic.ini.d").glob("*.ini")):
        name = ini.stem
        folder = REPO / "services" / name
        for path in ("migrations/env.py", "migrations/script.py.mako"):
            assert (folder / path).read_text() == service_files(name)[path], (name, path)
        bundled = configparser.ConfigParser(interpolation=None)
        scaffolded = configparser.ConfigParser(interpolation=None)
        bundled.read(ini)
        section = bundled["orchestrate"]
        scaffolded.read_string(service_ini(
            name, tables=section.get("tables", "").replace(",", " ").split(),
            depends_on=section.get("depends_on", "").replace(",", " ").split()))
        assert {k: dict(v) for k, v in bundled.items()} == \
            {k: dict(v) for k, v in scaffolded.items()}, name
