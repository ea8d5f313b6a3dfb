"""``orchestrate check`` (the CI gate) and ``detect_changes`` (one shared reflection)."""
from __future__ import annotations

import json

import anyio
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from support import edit, orchestrate, write

from benchmarks import synthetic
from orchestrator.autogenerate import autodetect
from orchestrator.runtime.expression_text import PROBE_TABLE
from orchestrator.runtime.orchestration import Orchestration


def upgraded(root, url) -> None:
    outcome = orchestrate(root, "upgrade", url=url)
    assert outcome.exit_code == 0, outcome.stderr


def test_check_exit_codes_and_json(example, db):
    upgraded(example, db.url)
    clean = orchestrate(example, "check", "--json", url=db.url)
    assert clean.exit_code == 0, clean.stderr
    report = json.loads(clean.stdout)
    assert report["verdict"] == "clean" and report["schema_version"] == 2
    assert [s["service"] for s in report["services"]] == [
        "invoices", "orders", "products", "tenants", "users"]
    assert all(s["compared"] and s["changes"] == [] for s in report["services"])

    edit(example / "services/products/models/products.py", '    sa.Column("updated_at"',
         '    sa.Column("barcode", sa.String(32), nullable=True),\n    sa.Column("updated_at"')
    found = orchestrate(example, "check", "--json", url=db.url)
    assert found.exit_code == 1
    report = json.loads(found.stdout)
    assert report["verdict"] == "changes"
    changes = {s["service"]: s["changes"] for s in report["services"]}
    assert changes["products"] == [{"operation": "add_column", "table": "products",
                                    "object": "barcode", "detail": "String(length=32)"}]
    assert all(changes[name] == [] for name in changes if name != "products")

    human = orchestrate(example, "check", url=db.url)
    assert human.exit_code == 1
    assert "products: add_column products.barcode (String(length=32))" in human.stdout
    only_users = orchestrate(example, "check", "users", url=db.url)
    assert only_users.exit_code == 0 and "products" not in only_users.stdout


def test_check_refuses_a_database_behind_its_migrations(example, db):
    behind = orchestrate(example, "check", url=db.url)
    assert behind.exit_code == 2
    assert "refusing to check" in behind.stderr and "not applied" in behind.stderr
    bad = orchestrate(example, "check", "nosuch", url=db.url)
    assert bad.exit_code == 2 and "unknown service 'nosuch'" in bad.stderr


def test_equivalent_default_spellings_are_not_changes(example, db):
    upgraded(example, db.url)
    write(example / "services/products/models/defaults.py", '''
import sqlalchemy as sa

from services.products.models import metadata

product_flags = sa.Table(
    "product_flags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("label", sa.String(16), nullable=False, server_default="it's"),
    sa.Column("count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("ratio", sa.Numeric(5, 2), nullable=False, server_default="1.50"),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("visible", sa.Boolean, nullable=False, server_default=sa.text("true")),
    sa.Column("seen_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("made_at", sa.DateTime(timezone=True),
              server_default=sa.text("CURRENT_TIMESTAMP")),
)
''')
    first = orchestrate(example, "generate", "-m", "flags", url=db.url)
    assert first.exit_code == 0, first.stderr
    upgraded(example, db.url)
    second = orchestrate(example, "check", "--json", url=db.url)
    assert second.exit_code == 0, second.stdout


def test_an_unstable_type_repr_is_named(example, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'types.db'}"
    upgraded(example, url)
    write(example / "shared_db/weird.py", '''
import sqlalchemy as sa


class Money(sa.TypeDecorator):
    impl = sa.Numeric(12, 2)
    cache_ok = True

    def __repr__(self):
        return f"Money(id={id(self)})"
''')
    edit(example / "services/products/models/products.py", '    sa.Column("updated_at"',
         '    sa.Column("cost", __import__("shared_db.weird").weird.Money(), nullable=True),\n'
         '    sa.Column("updated_at"')
    found = orchestrate(example, "check", "--json", url=url)
    assert found.exit_code == 1
    products = next(s for s in json.loads(found.stdout)["services"] if s["service"] == "products")
    (problem,) = products["unstable_types"]
    assert (problem["table"], problem["column"], problem["type"]) == (
        "products", "cost", "shared_db.weird.Money")
    assert "copy of the same type renders differently" in problem["reason"]
    refused = orchestrate(example, "generate", "-m", "cost", url=url)
    assert refused.exit_code == 2
    assert "column products.cost uses type shared_db.weird.Money" in refused.stderr
    assert "__repr__" in refused.stderr


def test_the_database_is_reflected_once_and_comparisons_never_query(example, db, monkeypatch):
    upgraded(example, db.url)
    comparing: list[str] = []
    real_compare = autodetect.compare_service

    def compare_service(*args):  # noqa: ANN002
        comparing.append("now")
        try:
            return real_compare(*args)
        finally:
            comparing.pop()

    monkeypatch.setattr(autodetect, "compare_service", compare_service)
    statements: dict[int, list[str]] = {}
    for services in (["tenants"], None):
        orch = Orchestration.open(example, db.url)
        issued: list[tuple[bool, str]] = []

        def record(conn, cursor, statement, *args):  # noqa: ANN001
            issued.append((bool(comparing), statement))

        event.listen(Engine, "before_cursor_execute", record)
        try:
            report = anyio.run(autodetect.detect_changes, orch, services)
        finally:
            event.remove(Engine, "before_cursor_execute", record)
        assert report.clean
        # PostgreSQL deparsing a model's check condition it spells otherwise (the example's
        # ``IN (...)`` checks) is the only question a comparison asks, and it says so
        probes = [s for _, s in issued if PROBE_TABLE in s]
        assert [s for during, s in issued if during and PROBE_TABLE not in s] == []
        assert bool(probes) == (db.backend == "postgresql")
        statements[len(report.services)] = [s for _, s in issued if PROBE_TABLE not in s]
    if db.backend == "postgresql":
        # one question per kind of object for all tables: as many for 5 services as for 1
        assert len(statements[5]) == len(statements[1]) < 20


@pytest.mark.parametrize("concurrency", [1, 3])
def test_a_synthetic_workspace_has_no_changes_after_upgrade(tmp_path, db, concurrency):
    root = synthetic.build(tmp_path / "ws", services=3, tables=4, revisions=3)
    edit(root / "pyproject.toml", "[tool.orchestrate]\n",
         f"[tool.orchestrate]\nconcurrency = {concurrency}\n")
    upgraded(root, db.url)
    assert orchestrate(root, "check", url=db.url).exit_code == 0
    nothing = orchestrate(root, "generate", "-m", "nothing", url=db.url)
    assert nothing.exit_code == 0, nothing.stderr
    assert "nothing to generate" in nothing.stdout


def test_an_unreachable_database_is_a_database_error(example, db, tmp_path):
    if db.backend == "postgresql":
        url = db.url.rsplit("/", 1)[0] + "/orchestrate_no_such_database"
    else:  # a path SQLite cannot open (a folder); a missing file would read as empty
        url = f"sqlite:///{tmp_path}"
    outcome = orchestrate(example, "check", url=url)
    assert outcome.exit_code == 3
    assert "cannot connect to the database" in outcome.stderr or (
        "cannot reach the SQLite database" in outcome.stderr)
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr
