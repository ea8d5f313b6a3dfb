"""`orchestrate generate --baseline`: each service's first revision from its models, stamped
where the database has its tables (a schema built outside any history); on SQLite and
PostgreSQL."""
from __future__ import annotations

import json

from support import edit, orchestrate

SERVICES = ("invoices", "orders", "products", "tenants", "users")


def hand_built(root, db) -> None:
    """The example's schema with no version table and no revision file: a database built by
    hand (or by a history now archived) and a workspace with no history yet."""
    assert orchestrate(root, "upgrade", url=db.url).exit_code == 0
    for name in SERVICES:
        db.execute(f"DROP TABLE alembic_version_{name}")
    for path in root.glob("services/*/migrations/versions/*.py"):
        path.unlink()


def baseline(root, db, *args):
    outcome = orchestrate(root, "generate", "--baseline", *args, "--json", url=db.url)
    return outcome.exit_code, json.loads(outcome.stdout)


def test_a_hand_built_schema_is_baselined_and_stamped(example, db):
    hand_built(example, db)
    code, result = baseline(example, db)
    assert code == 0 and result["verdict"] == "written", result
    assert sorted(result["stamped"]) == list(SERVICES)
    written = {s["service"]: s["written"] for s in result["services"]}
    assert written["orders"]["requires"] == [
        f"products:{written['products']['revision']}", f"users:{written['users']['revision']}"]
    tables = {c["table"] for s in result["services"] for c in s["changes"]
              if c["operation"] == "create_table"}
    assert {"users", "orders", "invoice_lines"} <= tables
    for name in SERVICES:
        assert db.version(name) == [written[name]["revision"]]
    assert orchestrate(example, "plan", url=db.url).exit_code == 0
    nothing = orchestrate(example, "generate", "-m", "nothing", "--json", url=db.url)
    assert json.loads(nothing.stdout)["verdict"] == "no-changes"
    edit(example / "services/users/models/users.py", '    sa.Column("display_name"',
         '    sa.Column("nickname", sa.String(64), nullable=True),\n    sa.Column("display_name"')
    assert orchestrate(example, "generate", "-m", "nickname", url=db.url).exit_code == 0
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    assert "nickname" in db.columns("users")


def test_on_an_empty_database_nothing_is_stamped_and_upgrade_creates(example, db):
    for path in example.glob("services/*/migrations/versions/*.py"):
        path.unlink()
    code, result = baseline(example, db, "users", "tenants", "-m", "start")
    assert code == 0 and result["stamped"] == [] and result["message"] == "start"
    assert "alembic_version_users" not in db.tables()
    assert orchestrate(example, "upgrade", "users", "tenants", url=db.url).exit_code == 0
    assert {"users", "tenants"} <= set(db.tables())


def test_refused_before_any_file_is_written(example, db):
    code, result = baseline(example, db, "users")  # users has its history
    assert code == 2 and "already has 1 revision(s)" in result["errors"][0]["message"]
    hand_built(example, db)
    db.execute("DROP TABLE invoice_lines")
    code, result = baseline(example, db)
    message = result["errors"][0]["message"]
    assert code == 2 and "service 'invoices'" in message and "invoice_lines" in message
    assert not list(example.glob("services/*/migrations/versions/*.py"))
    assert "alembic_version_users" not in db.tables()


def test_tables_referencing_each_other_get_their_keys_once_both_exist(example, db):
    """tenants.default_setting_id -> tenant_settings, tenant_settings.tenant_id -> tenants: the
    baseline (rendered for PostgreSQL) creates one key after both tables, so it applies on an
    empty database and comes back down."""
    edit(example / "services/tenants/models/tenants.py", '    sa.Column("name", sa.String(255)',
         '    sa.Column("default_setting_id", sa.Integer,\n'
         '              sa.ForeignKey("tenant_settings.id", name="fk_tenants_default_setting")),\n'
         '    sa.Column("name", sa.String(255)')
    for path in example.glob("services/tenants/migrations/versions/*.py"):
        path.unlink()
    code, result = baseline(example, db, "tenants", "--dialect", "postgresql")
    assert code == 0 and not result["lint"], result
    (path,) = example.glob("services/tenants/migrations/versions/*.py")
    text = path.read_text()
    assert text.count("op.create_foreign_key(") == 1  # the key to the table created second
    assert text.index("op.create_foreign_key(") > text.rindex("op.create_table(")
    if db.backend == "postgresql":
        assert orchestrate(example, "upgrade", "tenants", url=db.url).exit_code == 0
        assert orchestrate(example, "downgrade", "tenants@base", url=db.url).exit_code == 0
