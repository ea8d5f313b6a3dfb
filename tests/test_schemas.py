"""Tables in schemas besides the default one (PostgreSQL): a service's tables in several
schemas, a schema a service owns whole (``schema =``), version tables in a chosen schema."""
from __future__ import annotations

import json

import pytest
from model_workspace import ModelWorkspace, postgres, sqlite  # noqa: F401  (a fixture)
from support import alembic, edit

ACCOUNTS = '''
metadata = sa.MetaData()

accounts = sa.Table("accounts", metadata, sa.Column("id", sa.Integer, primary_key=True))
daily = sa.Table(
    "daily_totals", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
{extra}    schema="reporting",
)
'''
ANALYTICS = '''
metadata = sa.MetaData(schema="analytics")

events = sa.Table("events", metadata, sa.Column("id", sa.Integer, primary_key=True),
                  sa.Column("name", sa.String(40), nullable=False))
'''
LEDGER = '''
metadata = sa.MetaData()

entries = sa.Table("entries", metadata, sa.Column("id", sa.Integer, primary_key=True))
'''


@pytest.fixture
def pg(postgres):  # noqa: F811 -- the imported fixture, under a short name
    return postgres


def accounts(extra: str = "") -> str:
    return ACCOUNTS.format(extra=extra)


def workspace(tmp_path) -> ModelWorkspace:
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("accounts", accounts())
    ws.service("analytics", ANALYTICS)
    ws.service("ledger", LEDGER)
    declare(ws, "analytics", "schema = analytics")
    declare(ws, "ledger", "version_table_schema = audit")
    return ws


def declare(ws: ModelWorkspace, service: str, line: str) -> None:
    """A line in the service ini's [orchestrate] section."""
    edit(ws.root / "alembic.ini.d" / f"{service}.ini", "[orchestrate]\n",
         f"[orchestrate]\n{line}\n")


def tables_in(db, schema: str) -> list[str]:
    return db.scalar_rows("SELECT table_name FROM information_schema.tables "
                          f"WHERE table_schema = '{schema}' ORDER BY table_name")


@pytest.mark.postgres
def test_schema_tables_are_created_once_and_never_re_proposed(tmp_path, pg):
    ws = workspace(tmp_path)
    written = ws.generate("initial", pg)
    assert len(written) == 3
    text = next(p for p in written if "accounts" in p.read_text()).read_text()
    assert "schema='reporting'" in text
    ws.run("upgrade", db=pg)
    assert tables_in(pg, "reporting") == ["daily_totals"]
    assert tables_in(pg, "analytics") == ["alembic_version_analytics", "events"]
    assert tables_in(pg, "audit") == ["alembic_version_ledger"]

    plan = json.loads(ws.run("plan", "--json", db=pg).stdout)
    assert plan["verdict"] == "clean", plan
    assert all(s["model_changes"] == [] for s in plan["services"])
    assert {s["service"]: s["current"] for s in plan["services"]} == {
        s["service"]: s["heads"] for s in plan["services"]}
    assert ws.check(pg)[0] == 0
    assert ws.generate("again", pg) == []
    for service in ("accounts", "analytics", "ledger"):
        vanilla = alembic(ws.root, service, "check", url=pg.url)
        assert "No new upgrade operations detected" in vanilla.stdout, vanilla.stderr
        current = alembic(ws.root, service, "current", url=pg.url)
        assert "(head)" in current.stdout, (service, current.stdout, current.stderr)


@pytest.mark.postgres
def test_a_change_in_a_schema_table_is_found_written_applied_and_undone(tmp_path, pg):
    ws = workspace(tmp_path)
    ws.generate("initial", pg)
    ws.run("upgrade", db=pg)
    ws.models("accounts", accounts('    sa.Column("note", sa.Text, nullable=True),\n'))
    code, report = ws.check(pg)
    changes = {s["service"]: [(c["operation"], c["table"], c["object"]) for c in s["changes"]]
               for s in report["services"]}
    assert code == 1 and changes == {"accounts": [("add_column", "reporting.daily_totals",
                                                   "note")], "analytics": [], "ledger": []}
    [written] = ws.generate("note", pg)
    ws.run("upgrade", db=pg)
    assert ws.check(pg)[0] == 0
    columns = pg.scalar_rows("SELECT column_name FROM information_schema.columns WHERE "
                                   "table_schema = 'reporting' AND table_name = 'daily_totals'")
    assert "note" in columns
    ws.run("downgrade", f"accounts@{written.name.split('_')[0]}", db=pg)
    ws.run("downgrade", "accounts@base", db=pg)
    assert tables_in(pg, "reporting") == []


@pytest.mark.postgres
def test_every_table_of_an_owned_schema_is_the_services(tmp_path, pg):
    ws = workspace(tmp_path)
    ws.generate("initial", pg)
    ws.run("upgrade", db=pg)
    pg.execute("CREATE TABLE analytics.stray (id integer primary key)")
    pg.execute("CREATE TABLE reporting.by_hand (id integer primary key)")
    code, report = ws.check(pg)
    changes = {s["service"]: [(c["operation"], c["table"]) for c in s["changes"]]
               for s in report["services"]}
    assert code == 1 and changes["analytics"] == [("drop_table", "analytics.stray")]
    assert changes["accounts"] == [] and changes["ledger"] == []
    plan = json.loads(ws.run("plan", "--json", db=pg, code=None).stdout)
    unowned = [f["message"] for f in plan["findings"] if f["code"] == "unowned-table"]
    assert len(unowned) == 1 and "'reporting.by_hand'" in unowned[0]


@pytest.mark.postgres
def test_a_table_in_another_services_schema_is_an_ownership_error(tmp_path, pg):
    ws = workspace(tmp_path)
    ws.models("ledger", LEDGER + 'intruder = sa.Table("intruder", metadata, '
              'sa.Column("id", sa.Integer, primary_key=True), schema="analytics")\n')
    outcome = ws.run("check", db=pg, code=2)
    assert "'analytics.intruder'" in outcome.stderr and "'analytics'" in outcome.stderr
    assert "'ledger'" in outcome.stderr


def test_schemas_on_sqlite_are_refused_naming_the_service(tmp_path):
    ws = workspace(tmp_path)
    db = sqlite(tmp_path)
    for command in ("check", "plan", "upgrade"):
        outcome = ws.run(command, db=db, code=2)
        assert "PostgreSQL only" in outcome.stderr and "'accounts'" in outcome.stderr
        assert "reporting" in outcome.stderr
