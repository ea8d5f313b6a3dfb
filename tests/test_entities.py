"""Views, functions and the other alembic_utils entities are owned per service: each service's
comparison creates, replaces and drops its own, never another's; two services declaring one
is an overlap (exit 2). The kinds one by one are in test_detection_matrix."""
from __future__ import annotations

import json

import pytest
from model_workspace import ModelWorkspace, postgres  # noqa: F401  (a fixture)
from support import alembic, orchestrate

pytestmark = pytest.mark.postgres

SHOP = '''
from alembic_utils.pg_view import PGView

metadata = sa.MetaData()
products = sa.Table("products", metadata, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("price", sa.Integer))
{entities}
'''
BILLING = '''
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_view import PGView

metadata = sa.MetaData()
invoices = sa.Table("invoices", metadata, sa.Column("id", sa.Integer, primary_key=True))
{entities}
'''
CHEAP = ('PGView(schema="public", signature="cheap", '
         'definition="SELECT id FROM products WHERE price < 10")')
TAX = ('PGFunction(schema="public", signature="with_tax(p integer)", '
       'definition="RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT p * 2 $$")')


def test_each_service_compares_only_its_own_entities(tmp_path, postgres):  # noqa: F811  (the fixture)
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("shop", SHOP.format(entities=f"entities = [{CHEAP}]"))
    ws.service("billing", BILLING.format(entities=f"entities = [{TAX}]"))
    assert len(ws.generate("start", postgres)) == 2
    ws.run("upgrade", db=postgres)
    assert ws.generate("again", postgres) == [] and ws.check(postgres)[0] == 0
    ws.run("check", "--drift", db=postgres)  # every entity is explained by a revision
    # plain Alembic on one service: the other's entities are no change (no global comparator)
    assert alembic(ws.root, "billing", "check", url=postgres.url).returncode == 0

    ws.models("billing", BILLING.format(entities=""))
    code, report = ws.check(postgres)
    changes = {s["service"]: s["changes"] for s in report["services"]}
    assert code == 1 and changes["shop"] == []
    assert changes["billing"] == [{"operation": "drop_entity", "table": None,
                                   "object": "PGFunction: public.with_tax(p integer)",
                                   "detail": ""}]
    ws.generate("no tax", postgres)
    ws.run("upgrade", db=postgres)
    assert postgres.scalar_rows("SELECT viewname FROM pg_views WHERE schemaname = 'public'") \
        == ["cheap"]
    assert postgres.scalar_rows("SELECT proname FROM pg_proc WHERE proname = 'with_tax'") == []

    # lint reads what alembic_utils' operations do: the function dropped, nothing unread
    linted = orchestrate(ws.root, "lint", "--json", url=postgres.url)
    findings = [(f["code"], f["message"]) for f in json.loads(linted.stdout)["findings"]]
    assert [code for code, _ in findings] == ["DS105"], findings
    assert "drops function 'public.with_tax'" in findings[0][1]


def test_two_services_declaring_one_entity_is_an_overlap(tmp_path, postgres):  # noqa: F811  (the fixture)
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("shop", SHOP.format(entities=f"entities = [{CHEAP}]"))
    ws.service("billing", BILLING.format(entities=f"entities = [{CHEAP}]"))
    refused = ws.run("check", db=postgres, code=2)
    assert ("entity 'PGView: public.cheap' is claimed by service 'billing' (from its models) "
            "and by service 'shop' (from its models)") in refused.stderr
    assert "declared by exactly one service" in refused.stderr


def test_an_entities_list_with_something_else_is_refused(tmp_path, postgres):  # noqa: F811  (the fixture)
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("shop", SHOP.format(entities=f"entities = [{CHEAP}, 'cheap']"))
    refused = ws.run("check", db=postgres, code=2)
    assert "service 'shop': `entities` holds 'cheap', which is no alembic_utils entity" \
        in refused.stderr


NUMBERED = '''
metadata = sa.MetaData()
orders = sa.Table("orders", metadata,
                  sa.Column("id", sa.Integer, primary_key=True),
                  sa.Column("number", sa.BigInteger, sa.Sequence("order_numbers", start=1000)))
'''


def test_a_sequence_named_by_a_new_tables_column(tmp_path, postgres):  # noqa: F811
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("orders", NUMBERED)
    ws.service("shop", SHOP.format(entities=""))
    [orders, _] = sorted(ws.generate("start", postgres), key=lambda p: "shop" in str(p))
    text = orders.read_text()
    assert text.index("op.create_sequence('order_numbers', start=1000)") < text.index(
        "op.create_table")
    ws.run("upgrade", db=postgres)
    assert postgres.scalar_rows("SELECT nextval('order_numbers')") == [1000]
    assert ws.generate("again", postgres) == [] and ws.check(postgres)[0] == 0
    ws.run("downgrade", "orders@base", db=postgres)
    assert postgres.scalar_rows(
        "SELECT sequencename FROM pg_sequences WHERE sequencename = 'order_numbers'") == []


def test_dependent_entities_are_dropped_in_an_order_that_works(tmp_path, postgres):  # noqa: F811
    cheaper = ('PGView(schema="public", signature="cheaper", '
               'definition="SELECT id FROM public.cheap WHERE id < 5")')
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("shop", SHOP.format(entities=""))
    ws.generate("start", postgres)
    ws.run("upgrade", db=postgres)
    ws.models("shop", SHOP.format(entities=f"entities = [{cheaper}, {CHEAP}]"))
    [created] = ws.generate("views", postgres)
    text = created.read_text()
    assert text.index("signature=\"cheap\"") < text.index("signature=\"cheaper\"")
    ws.run("upgrade", db=postgres)
    ws.models("shop", SHOP.format(entities=""))
    [dropped] = ws.generate("no views", postgres)
    text = dropped.read_text()
    upgrade = text[text.index("def upgrade"):text.index("def downgrade")]
    assert upgrade.index("signature=\"cheaper\"") < upgrade.index("signature=\"cheap\"")
    views = "SELECT count(*) FROM pg_views WHERE schemaname = 'public'"
    ws.run("upgrade", db=postgres)
    assert postgres.scalar_rows(views) == [0]
    ws.run("downgrade", f"shop@{created.name.split('_')[0]}", db=postgres)
    assert postgres.scalar_rows(views) == [2]


def test_an_entity_made_by_hand_is_drift(tmp_path, postgres):  # noqa: F811
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("shop", SHOP.format(entities=""))
    ws.generate("start", postgres)
    ws.run("upgrade", db=postgres)
    postgres.execute("CREATE VIEW cheap AS SELECT id FROM products WHERE price < 10")
    postgres.execute("CREATE SEQUENCE numbers")
    ws.models("shop", SHOP.format(entities=f"entities = [{CHEAP}]\n"
                                  "numbers = sa.Sequence('numbers', metadata=metadata)"))
    assert ws.check(postgres)[0] == 0  # the models match the database...
    drifted = ws.run("check", "--drift", "--json", db=postgres, code=1)
    [service] = json.loads(drifted.stdout)["services"]
    assert [d["message"] for d in service["drift"]] == [
        "service 'shop': view 'public.cheap' is in the database but no revision of shop "
        "creates it",
        "service 'shop': sequence 'numbers' is in the database but no revision of shop "
        "creates it"]
