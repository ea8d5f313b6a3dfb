"""Workspace configuration, the model loader and bad input, through the CLI as a user meets them."""
from __future__ import annotations

import json

import pytest
from support import orchestrate, write

from orchestrator.config.settings import load_settings
from orchestrator.runtime.database import ENV_VAR, resolve_url
from orchestrator.workspace.workspace import Workspace


def test_services_lists_all_five_with_tables_and_version_tables(example):
    result = orchestrate(example, "services", "--json")
    assert result.exit_code == 0, result.stderr
    services = {s["service"]: s for s in json.loads(result.stdout)["services"]}
    assert list(services) == ["tenants", "products", "users", "orders", "invoices"]
    assert services["orders"]["tables"] == ["order_lines", "orders"]
    assert services["orders"]["version_table"] == "alembic_version_orders"
    assert services["orders"]["depends_on"] == ["products", "users"]
    assert services["users"]["depends_on"] == ["tenants"]
    assert services["invoices"]["heads"] == ["e2f05a8c4d13"]
    assert services["invoices"]["current"] == []


def test_model_loader_imports_every_submodule(example):
    ws = Workspace.load(example)
    # services/users/models/__init__.py imports none of its submodules
    assert sorted(ws.metadata["users"].tables) == ["api_keys", "user_roles", "users"]
    write(example / "services/users/models/sessions.py",
          "import sqlalchemy as sa\nfrom services.users.models import metadata\n"
          "from shared_db import TenantId\n\n"
          "sessions = sa.Table('sessions', metadata,\n"
          "    sa.Column('id', sa.Integer, primary_key=True),\n"
          "    sa.Column('tenant_id', TenantId(), nullable=False))\n")
    assert "sessions" in Workspace.load(example).metadata["users"].tables


def test_url_precedence(example, monkeypatch):
    settings = load_settings(example)
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert resolve_url(settings).render_as_string() == (
        f"sqlite+aiosqlite:///{example / '.orchestrate' / 'orchestrate.db'}")
    pyproject = example / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        "# database_url =", 'database_url = "sqlite:///from-pyproject.db"\n# was'))
    settings = load_settings(example)
    assert resolve_url(settings).database == "from-pyproject.db"
    monkeypatch.setenv(ENV_VAR, "postgresql://u:secret@db.example/app")
    assert resolve_url(settings).drivername == "postgresql+asyncpg"
    assert resolve_url(settings).host == "db.example"
    assert resolve_url(settings, "sqlite:///flag.db").database == "flag.db"


def test_different_naming_conventions_are_a_warning_not_a_refusal(example, tmp_path):
    from support import edit

    edit(example / "services/products/models/__init__.py", "metadata = make_metadata()",
         "metadata = MetaData(naming_convention={'pk': 'pk_%(table_name)s'})")
    edit(example / "services/products/models/__init__.py", "from shared_db",
         "from sqlalchemy import MetaData\nfrom shared_db")
    url = f"sqlite+aiosqlite:///{tmp_path / 'n.db'}"
    assert orchestrate(example, "services", url=url).exit_code == 0
    assert orchestrate(example, "upgrade", url=url).exit_code == 0
    result = orchestrate(example, "plan", "--json", url=url)
    (finding,) = [f for f in json.loads(result.stdout)["findings"]
                  if f["code"] == "naming-convention-mismatch"]
    assert finding["severity"] == "warning" and "products" in finding["message"]
    errors = [(f["code"], s["service"]) for s in json.loads(result.stdout)["services"]
              for f in s["findings"] if f["severity"] == "error"]
    assert errors == [("model-changes", "products")]  # its constraints' names did change


@pytest.mark.parametrize("content, expected", [
    (None, "has no such file"),
    ("[alembic\nscript_location = x\n", "not a valid ini file"),
    ("[alembic]\nscript_location = %(here)s/../services/orders/migrations\n",
     "has no [orchestrate] section"),
    ("[alembic]\n[orchestrate]\nservice = orders\n", "script_location is missing"),
    ("[alembic]\nscript_location = /nowhere\n[orchestrate]\nservice = orders\n", "has no env.py"),
    ("[alembic]\nscript_location = %(here)s/../services/orders/migrations\n"
     "[orchestrate]\nservice = orders\ncolour = blue\n", "unknown key 'colour'"),
])
def test_bad_ini_files(example, content, expected):
    ini = example / "alembic.ini.d/orders.ini"
    if content is None:
        ini.unlink()
        (example / "alembic.ini.d/orders.ini").mkdir()  # an ini that is not a readable file
        expected = "cannot be read"
    else:
        ini.write_text(content)
    result = orchestrate(example, "plan")
    assert result.exit_code == 2, result.stderr
    assert expected in result.stderr
    assert "orders.ini" in result.stderr
    assert "Traceback" not in result.stderr


def test_models_that_fail_to_import_name_file_and_line(example):
    write(example / "services/orders/models/broken.py",
          "import sqlalchemy as sa\n\nvalue = 1\nraise RuntimeError('boom in models')\n")
    result = orchestrate(example, "plan")
    assert result.exit_code == 2
    assert "services/orders/models/broken.py:4" in result.stderr
    assert "RuntimeError: boom in models" in result.stderr
    assert "Traceback" not in result.stderr


def test_models_with_a_syntax_error_name_file_and_line(example):
    write(example / "services/tenants/models/typo.py", "x = (\n")
    result = orchestrate(example, "services")
    assert result.exit_code == 2
    assert "services/tenants/models/typo.py:1" in result.stderr


def test_models_package_missing(example):
    ini = example / "alembic.ini.d/users.ini"
    ini.write_text(ini.read_text().replace("models = services.users.models",
                                           "models = services.users.modelz"))
    result = orchestrate(example, "services")
    assert result.exit_code == 2
    assert "services.users.modelz" in result.stderr and "users.ini" in result.stderr


def test_service_with_no_tables(example):
    for module in (example / "services/products/models").glob("*.py"):
        if module.name != "__init__.py":
            module.unlink()
    result = orchestrate(example, "services")
    assert result.exit_code == 2
    assert "service 'products' defines no tables" in result.stderr


def test_unknown_service_name(example):
    result = orchestrate(example, "upgrade", "shipping")
    assert result.exit_code == 2
    assert "unknown service 'shipping'" in result.stderr
    assert "tenants" in result.stderr


def test_unreachable_database_shows_url_without_password(example):
    url = "postgresql://app:hunter2@127.0.0.1:1/app"
    result = orchestrate(example, "plan", url=url)
    assert result.exit_code == 3
    assert "cannot connect" in result.stderr and "127.0.0.1:1" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_bad_database_url(example):
    result = orchestrate(example, "plan", url="not a url")
    assert result.exit_code == 2
    assert "--database-url: not a database URL" in result.stderr
    result = orchestrate(example, "plan", url="oracle://scott:tiger@host/db")
    assert result.exit_code == 2 and "not supported" in result.stderr
    assert "tiger" not in result.stderr


def test_no_workspace_found(tmp_path):
    result = orchestrate(tmp_path, "plan")
    assert result.exit_code == 2
    assert "[tool.orchestrate]" in result.stderr


def test_bad_pyproject_settings(example):
    pyproject = example / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("concurrency = 8", 'concurrency = "many"'))
    result = orchestrate(example, "plan")
    assert result.exit_code == 2 and "concurrency must be a int" in result.stderr
    pyproject.write_text("[tool.orchestrate\n")
    result = orchestrate(example, "plan")
    assert result.exit_code == 2 and "not valid TOML" in result.stderr


def test_depends_on_unknown_service(example):
    ini = example / "alembic.ini.d/users.ini"
    ini.write_text(ini.read_text().replace("depends_on = tenants", "depends_on = billing"))
    result = orchestrate(example, "plan")
    assert result.exit_code == 2 and "unknown service 'billing'" in result.stderr


def test_declarative_models_in_a_single_module_service_and_another_services_dir(tmp_path, db):
    """Another monorepo's layout: apps/ instead of services/, a declarative Base, models.py."""
    root = tmp_path / "mono"
    write(root / "pyproject.toml", '[tool.orchestrate]\nservices_dir = "apps"\n')
    write(root / "apps/__init__.py", "")
    write(root / "apps/billing/__init__.py", "")
    write(root / "apps/billing/models/__init__.py", "")
    write(root / "apps/billing/models/base.py",
          "from sqlalchemy import MetaData\nfrom sqlalchemy.orm import DeclarativeBase\n\n"
          "class Base(DeclarativeBase):\n"
          "    metadata = MetaData(naming_convention={'pk': 'pk_%(table_name)s'})\n")
    write(root / "apps/billing/models/accounts.py",
          "from sqlalchemy.orm import Mapped, mapped_column\n"
          "from apps.billing.models.base import Base\n\n"
          "class Account(Base):\n    __tablename__ = 'accounts'\n"
          "    id: Mapped[int] = mapped_column(primary_key=True)\n")
    write(root / "apps/audit/__init__.py", "")
    write(root / "apps/audit/models.py",
          "import sqlalchemy as sa\n\n"
          "metadata = sa.MetaData(naming_convention={'pk': 'pk_%(table_name)s'})\n"
          "events = sa.Table('events', metadata, sa.Column('id', sa.Integer, primary_key=True))\n")
    for name in ("billing", "audit"):
        write(root / f"apps/{name}/migrations/env.py",
              "from orchestrator.envrunner import run_env\n\nrun_env()\n")
        (root / f"apps/{name}/migrations/versions").mkdir(parents=True)
        write(root / f"alembic.ini.d/{name}.ini",
              f"[alembic]\nscript_location = %(here)s/../apps/{name}/migrations\n"
              f"prepend_sys_path = %(here)s/..\n\n[orchestrate]\nservice = {name}\n")
    ws = Workspace.load(root)
    assert ws.ownership.tables_of("billing") == {"accounts"}
    assert ws.ownership.tables_of("audit") == {"events"}
    plan = orchestrate(root, "plan", "--json", url=db.url)
    assert plan.exit_code == 1, plan.stderr  # models without revisions: changes to generate
    services = json.loads(plan.stdout)["services"]
    assert [s["heads"] for s in services] == [[], []]
    assert [[f["code"] for f in s["findings"]] for s in services] == [["model-changes"]] * 2


def test_a_foreign_key_to_a_table_outside_the_metadata_is_exit_2(example):
    """The stub pattern forgotten: named, with the fix, instead of failing mid-comparison."""
    (example / "services/orders/models/references.py").unlink()
    result = orchestrate(example, "plan")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "service 'orders'" in result.stderr and "orders.user_id -> users.id" in result.stderr
    assert "declare a stub" in result.stderr
