"""Ownership isolation: each service's autogenerate sees its own tables and nothing else."""
from __future__ import annotations

import json

import anyio
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from support import alembic, edit, orchestrate, write

from orchestrator.core.errors import OwnershipError
from orchestrator.runtime.database import connect
from orchestrator.runtime.migration_options import migration_options
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.workspace.ownership import Ownership, OwnershipRegistry


def diff(root, url, service):
    """Alembic's own comparison of one service, configured exactly as orchestrate does."""
    orch = Orchestration.open(root, url)
    ws = orch.workspace

    def compare(connection):
        opts = migration_options(ws.service(service), ws.metadata[service], ws.ownership,
                                 connection.dialect.name)
        context = MigrationContext.configure(connection, opts=opts)
        return compare_metadata(context, ws.metadata[service])

    async def go():
        async with connect(orch.url) as connection:
            return await connection.run_sync(compare)

    return anyio.run(go)


def dropped_tables(changes):
    return sorted(change[1].name for change in changes if change[0] == "remove_table")


def test_no_service_proposes_dropping_foreign_ignored_or_unowned_tables(example, db):
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    db.execute("CREATE TABLE spatial_ref_sys (srid INTEGER PRIMARY KEY)")  # ignored by default
    db.execute("CREATE TABLE celery_taskmeta (id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE legacy_reports (id INTEGER PRIMARY KEY)")  # nobody's
    for service in ("tenants", "users", "products", "orders", "invoices"):
        assert diff(example, db.url, service) == [], service


def test_a_table_removed_from_models_is_dropped_by_its_own_service_only(example, db):
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    (example / "services/users/models/api_keys.py").write_text(
        '"""API keys were retired."""\n')
    assert dropped_tables(diff(example, db.url, "users")) == ["api_keys"]
    for other in ("tenants", "products", "orders", "invoices"):
        assert diff(example, db.url, other) == [], other
    ws = Orchestration.open(example, db.url).workspace
    assert ws.ownership.owners["api_keys"].source == "history"


def test_vanilla_alembic_check_sees_the_same_scope(example, db):
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    db.execute("CREATE TABLE legacy_reports (id INTEGER PRIMARY KEY)")
    for service in ("users", "orders", "invoices"):
        result = alembic(example, service, "check", url=db.url)
        assert result.returncode == 0, result.stderr
        assert "No new upgrade operations detected" in result.stdout + result.stderr
    (example / "services/users/models/api_keys.py").write_text('"""Retired."""\n')
    result = alembic(example, "users", "check", url=db.url)
    assert result.returncode != 0
    assert "remove_table" in result.stderr and "api_keys" in result.stderr


def test_two_services_claiming_one_table_is_an_error_naming_both(example):
    write(example / "services/products/models/stolen.py",
          "import sqlalchemy as sa\nfrom services.products.models import metadata\n\n"
          "users = sa.Table('users', metadata, sa.Column('id', sa.Integer, primary_key=True))\n")
    result = orchestrate(example, "services")
    assert result.exit_code == 2
    assert "'users'" in result.stderr and "'products'" in result.stderr
    assert "'users' is claimed by service" in result.stderr
    assert "Traceback" not in result.stderr


def test_stub_tables_outside_tables_list_are_not_owned(example):
    ws = Orchestration.open(example).workspace
    assert ws.ownership.owner("users") == "users"
    assert ws.ownership.tables_of("orders") == {"orders", "order_lines"}
    assert {"users", "products"} <= set(ws.metadata["orders"].tables)


def test_a_table_listed_in_tables_but_not_modelled_is_refused_not_dropped(example, db):
    """`tables =` naming a table the models lack would make autogenerate drop it."""
    edit(example / "alembic.ini.d/orders.ini", "tables = orders, order_lines",
         "tables = orders, order_lines, order_notes")
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 2
    for command in ("plan", "check", "generate"):
        args = (command, "-m", "x") if command == "generate" else (command,)
        result = orchestrate(example, *args, url=db.url)
        assert result.exit_code == 2, (command, result.stderr)
        assert "service 'orders' lists order_notes in `tables =`" in result.stderr
        assert "Traceback" not in result.stderr
    assert list((example / "services/orders/migrations/versions").glob("*x.py")) == []


def test_registry_classifies_owned_ignored_internal_unowned():
    registry = OwnershipRegistry.build(
        {"a": [("t1", "models")], "b": [("t2", "ini")]},
        ignore=["celery_*", "spatial_ref_sys"],
        version_tables=["alembic_version_a"],
    )
    assert registry.classify("t1") is Ownership.OWNED
    assert registry.classify("celery_taskmeta") is Ownership.IGNORED
    assert registry.classify("spatial_ref_sys") is Ownership.IGNORED
    assert registry.classify("alembic_version_a") is Ownership.INTERNAL
    assert registry.classify("orchestrate_runs") is Ownership.INTERNAL
    assert registry.classify("reports") is Ownership.UNOWNED
    assert registry.unowned(["t1", "reports", "celery_x", "alembic_version_a"]) == ["reports"]


def test_history_claims_yield_to_models_but_clash_among_themselves():
    moved = OwnershipRegistry.build({"a": [("t", "history")], "b": [("t", "models")]})
    assert moved.owner("t") == "b"
    clash = OwnershipRegistry.build({"a": [("t", "history")], "b": [("t", "history")]})
    assert [str(o) for o in clash.overlaps] == [
        "table 't' is claimed by service 'a' (from its history) and by service 'b' "
        "(from its history)"]
    with pytest.raises(OwnershipError, match="'t' is claimed by service 'a'"):
        clash.check()


def test_ignore_list_from_pyproject_with_globs(example, db):
    pyproject = example / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'ignore = ["celery_*", "spatial_ref_sys"]', 'ignore = ["audit_*"]'))
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    db.execute("CREATE TABLE audit_2026 (id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE stray (id INTEGER PRIMARY KEY)")
    plan = orchestrate(example, "plan", "--json", url=db.url)
    import json

    findings = json.loads(plan.stdout)["findings"]
    flagged = [f["message"] for f in findings if f["code"] == "unowned-table"]
    assert len(flagged) == 1 and "'stray'" in flagged[0]
    assert all(diff(example, db.url, s) == [] for s in ("users", "orders"))


def test_a_model_table_missing_from_tables_is_a_finding_in_check_and_plan(example, db):
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    write(example / "services/orders/models/audit.py",
          'import sqlalchemy as sa\nfrom services.orders.models import metadata\n'
          'sa.Table("order_audit", metadata, sa.Column("id", sa.Integer, primary_key=True))\n')
    message = ("service 'orders': table 'order_audit' of its MetaData is owned by no service: "
               "add it to `tables =` in orders.ini or to another service")
    checked = orchestrate(example, "check", url=db.url)
    assert checked.exit_code == 1 and message in checked.stdout
    plan = json.loads(orchestrate(example, "plan", "--json", url=db.url).stdout)
    assert {(f["code"], f["service"], f["message"]) for f in plan["findings"]
            if f["code"] == "unowned-model-table"} == {("unowned-model-table", "orders", message)}
    assert plan["verdict"] == "problems"

    edit(example / "alembic.ini.d/orders.ini", "tables = orders, order_lines",
         "tables = orders, order_lines, order_audit")
    checked = orchestrate(example, "check", "--json", url=db.url)
    assert checked.exit_code == 1
    orders = next(s for s in json.loads(checked.stdout)["services"] if s["service"] == "orders")
    assert orders["unowned_tables"] == []
    assert ("create_table", "order_audit") in {(c["operation"], c["table"])
                                              for c in orders["changes"]}
