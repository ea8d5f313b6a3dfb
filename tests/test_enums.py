"""Native enum types on PostgreSQL: created before use, values added, removed and renamed,
dropped with their last column (upgrade and downgrade), one owner per type."""
from __future__ import annotations

import pytest
from model_workspace import ModelWorkspace, postgres  # noqa: F401  (a fixture)
from support import alembic

pytestmark = pytest.mark.postgres

BASE = '''
metadata = sa.MetaData()

products = sa.Table(
    "products", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
{columns})
'''
STATUS = ('    sa.Column("status", sa.Enum({values}, name="product_status"), nullable=False,\n'
          '              server_default="draft"),\n')


def models(*values: str, extra: str = "") -> str:
    listed = ", ".join(repr(v) for v in values)
    return BASE.format(columns=(STATUS.format(values=listed) if values else "") + extra)


def enum_types(db) -> dict[str, list[str]]:
    rows = db.scalar_rows(
        "SELECT t.typname || ':' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) "
        "FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname")
    return {name: labels.split(",") for name, labels in (row.split(":") for row in rows)}


@pytest.fixture
def pg(postgres):
    return postgres


def step(ws: ModelWorkspace, pg, message: str, source: str) -> str:
    """Edit the models, check names the change, generate, upgrade, and nothing is left."""
    ws.models("shop", source)
    code, report = ws.check(pg)
    assert code == 1, report
    [written] = ws.generate(message, pg)
    ws.run("upgrade", db=pg)
    assert ws.generate("again", pg) == []
    assert ws.check(pg)[0] == 0
    return written.read_text()


def test_enum_lifecycle_end_to_end(tmp_path, pg):
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("shop", models())
    ws.generate("products", pg)
    ws.run("upgrade", db=pg)

    text = step(ws, pg, "status", models("draft", "active"))
    assert "sa.Enum('draft', 'active', name='product_status'" in text
    assert text.index(".create(op.get_bind())") < text.index("add_column")
    assert enum_types(pg) == {"product_status": ["draft", "active"]}

    assert alembic(ws.root, "shop", "check", url=pg.url).returncode == 0
    ws.models("shop", models("draft", "active", "archived"))
    vanilla = alembic(ws.root, "shop", "check", url=pg.url)
    assert vanilla.returncode != 0 and "product_status" in vanilla.stderr + vanilla.stdout

    text = step(ws, pg, "archived", models("draft", "active", "archived"))
    assert "op.add_enum_value" in text or "op.sync_enum_values" in text
    assert enum_types(pg) == {"product_status": ["draft", "active", "archived"]}

    text = step(ws, pg, "no active", models("draft", "archived"))
    assert "op.sync_enum_values" in text
    assert enum_types(pg) == {"product_status": ["draft", "archived"]}

    ws.run("downgrade", "shop@base", db=pg)
    assert enum_types(pg) == {} and pg.tables() == ["alembic_version_shop"]
    ws.run("upgrade", db=pg)
    assert enum_types(pg) == {"product_status": ["draft", "archived"]}
    assert ws.check(pg)[0] == 0

    text = step(ws, pg, "drop status", models())
    assert enum_types(pg) == {}
    previous = text.split("Revises: ")[1].split()[0]
    ws.run("downgrade", f"shop@{previous}", db=pg)
    assert enum_types(pg) == {"product_status": ["draft", "archived"]}
    ws.run("downgrade", "shop@base", db=pg)
    assert enum_types(pg) == {}
    ws.run("upgrade", db=pg)
    assert enum_types(pg) == {} and ws.check(pg)[0] == 0


def test_a_new_table_with_a_new_enum_and_its_drop(tmp_path, pg):
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("shop", models("draft", "active"))
    [first] = ws.generate("products", pg)
    ws.run("upgrade", db=pg)
    assert enum_types(pg) == {"product_status": ["draft", "active"]}
    assert ws.generate("again", pg) == []
    ws.run("downgrade", "shop@base", db=pg)
    assert enum_types(pg) == {}
    ws.run("upgrade", db=pg)
    assert enum_types(pg) == {"product_status": ["draft", "active"]}


SHARED = '''
metadata = sa.MetaData()

sa.Table("orders", metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("status", {type}))
'''


def test_an_enum_has_one_owner_and_others_reference_it(tmp_path, pg):
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("shop", models("draft", "active"))
    ws.service("orders", SHARED.format(
        type='postgresql.ENUM("draft", "active", name="product_status", create_type=False)'))
    written = ws.generate("both", pg)
    assert len(written) == 2
    ws.run("upgrade", db=pg)
    assert ws.generate("again", pg) == [] and ws.check(pg)[0] == 0

    ws.models("orders", SHARED.format(type='sa.Enum("draft", "active", name="product_status")'))
    refused = ws.run("check", db=pg, code=2)
    assert ("enum 'product_status' is claimed by service 'orders' (from its models) and by "
            "service 'shop' (from its models)") in refused.stderr
    assert "create_type=False" in refused.stderr
