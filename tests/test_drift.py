"""Drift: the schema a service's revisions build, replayed from their readings, against the DB."""
from __future__ import annotations

from support import write

from orchestrator.autogenerate.drift import expected_schema, find_drift
from orchestrator.autogenerate.reflection import Snapshot
from orchestrator.workspace.workspace import Workspace

LATER = '''"""later"""
from alembic import op
import sqlalchemy as sa

revision = "7a7a7a7a7a7a"
down_revision = "5c1e2a7f3b90"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tenants", sa.Column("region", sa.String(8), nullable=True, index=True))
    op.create_index("ix_tenants_name", "tenants", ["name"])
    op.drop_column("tenants", "contact_email")
    with op.batch_alter_table("tenant_settings") as batch:
        batch.alter_column("value", new_column_name="content")
        batch.drop_constraint(op.f("uq_tenant_settings_tenant_pk"), type_="unique")
        batch.create_unique_constraint("uq_settings_key", ["tenant_pk", "key"])
    op.create_table("tenant_notes", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("body", sa.Text, unique=True))
    op.rename_table("tenant_notes", "tenant_memos")
    op.execute("UPDATE tenants SET plan = 'team'")


def downgrade() -> None:
    op.drop_table("tenants")
'''


def test_the_history_replays_into_tables_columns_and_named_objects(example):
    write(example / "services/tenants/migrations/versions/7a7a7a7a7a7a_later.py", LATER)
    schema = expected_schema(Workspace.load(example).histories["tenants"])
    assert set(schema.tables) == {"tenants", "tenant_settings", "tenant_memos"}
    tenants = schema.tables["tenants"]
    assert "contact_email" not in tenants.columns and tenants.columns["region"] == "7a7a7a7a7a7a"
    assert {(o.kind, o.name, o.columns) for o in tenants.objects} == {
        ("check constraint", "ck_tenants_plan_known", None),
        ("unique constraint", "uq_tenants_slug", ("slug",)),
        ("index", "ix_tenants_tenant_id", ("tenant_id",)),
        ("index", None, ("region",)),
        ("index", "ix_tenants_name", ("name",)),
    }
    settings = schema.tables["tenant_settings"]
    assert "content" in settings.columns and "value" not in settings.columns
    assert "uq_tenant_settings_tenant_pk" not in {o.name for o in settings.objects}
    assert ("unique constraint", "uq_settings_key") in {(o.kind, o.name) for o in settings.objects}
    memos = schema.tables["tenant_memos"]
    assert [(o.kind, o.columns) for o in memos.objects] == [("unique constraint", ("body",))]
    assert schema.mentioned("tenants") is None  # an UPDATE is no DDL: the table stays verified
    assert schema.sql == []


def _snapshot(tables: dict[str, dict]) -> Snapshot:
    kinds = ("columns", "indexes", "unique_constraints", "foreign_keys", "check_constraints")
    data = {kind: {(None, name): spec.get(kind, []) for name, spec in tables.items()}
            for kind in kinds}
    return Snapshot("sqlite", sorted(tables), data)


def _columns(*names: str) -> list[dict]:
    return [{"name": name} for name in names]


def test_unexplained_and_missing_objects_are_named(example):
    history = Workspace.load(example).histories["tenants"]
    snapshot = _snapshot({
        "tenants": {
            "columns": _columns("id", "tenant_id", "slug", "name", "plan", "is_active",
                                "created_at", "by_hand"),
            "indexes": [{"name": "ix_tenants_tenant_id", "column_names": ["tenant_id"]},
                        {"name": "ix_by_hand", "column_names": ["name"]}],
            "unique_constraints": [{"name": None, "column_names": ["slug"]}],
            "check_constraints": [{"name": "ck_tenants_plan_known", "sqltext": "..."}],
        },
        "tenant_settings": {
            "columns": _columns("id", "tenant_id", "tenant_pk", "key", "value", "updated_at"),
            "indexes": [{"name": "ix_tenant_settings_tenant_id", "column_names": ["tenant_id"]},
                        {"name": "ix_tenant_settings_tenant_pk", "column_names": ["tenant_pk"]},
                        {"name": "uq_tenant_settings_tenant_pk",
                         "column_names": ["tenant_pk", "key"],
                         "duplicates_constraint": "uq_tenant_settings_tenant_pk"}],
            "unique_constraints": [{"name": "uq_tenant_settings_tenant_pk",
                                    "column_names": ["tenant_pk", "key"]}],
            "foreign_keys": [{"name": "fk_tenant_settings_tenant_pk_tenants",
                              "constrained_columns": ["tenant_pk"]}],
        },
        "stray": {"columns": _columns("id")},
    })
    report = find_drift(history, {"tenants", "tenant_settings", "stray"}, snapshot)
    found = {(d.kind, d.table, d.name, d.state, d.revision) for d in report.drift}
    assert found == {
        ("column", "tenants", "by_hand", "unexplained", None),
        ("column", "tenants", "contact_email", "missing", "5c1e2a7f3b90"),
        ("index", "tenants", "ix_by_hand", "unexplained", None),
        ("table", "stray", None, "unexplained", None),
    }
    assert report.unverified == []
    message = next(d.message for d in report.drift if d.name == "contact_email")
    assert message == ("service 'tenants': column tenants.contact_email is missing from the "
                       "database although revision 5c1e2a7f3b90 adds it")


def test_tables_named_by_sql_are_not_verified_and_opaque_sql_stops_the_service(example):
    versions = example / "services/tenants/migrations/versions"
    write(versions / "7a7a7a7a7a7a_sql.py", LATER.replace(
        "op.execute(\"UPDATE tenants SET plan = 'team'\")",
        'op.execute(sa.text("ALTER TABLE tenant_settings ADD COLUMN extra TEXT"))'))
    history = Workspace.load(example).histories["tenants"]
    snapshot = _snapshot({"tenant_settings": {"columns": _columns("id", "extra")},
                          "tenants": {"columns": []}, "tenant_memos": {"columns": []}})
    report = find_drift(history, {"tenants", "tenant_settings"}, snapshot)
    assert "tenant_settings" not in {d.table for d in report.drift}
    assert report.unverified == ["service 'tenants': table 'tenant_settings' not verified: "
                                 "revision 7a7a7a7a7a7a runs SQL that names it"]

    write(versions / "7a7a7a7a7a7a_sql.py", LATER.replace(
        "op.execute(\"UPDATE tenants SET plan = 'team'\")", "op.execute(STATEMENT)"))
    report = find_drift(Workspace.load(example).histories["tenants"], {"tenants"}, snapshot)
    assert report.drift == []
    # the reading runs the revision: an undefined name is what stops it, and it says so
    assert report.unverified == ["service 'tenants': not verified: 7a7a7a7a7a7a_sql.py:22: "
                                 "upgrade() stopped: NameError: name 'STATEMENT' is not defined"]


def test_a_table_moved_from_another_service_is_not_called_drift(example):
    history = Workspace.load(example).histories["tenants"]
    snapshot = _snapshot({"orders": {"columns": _columns("id")}})
    report = find_drift(history, {"orders"}, snapshot, {"orders": "orders"})
    assert [d for d in report.drift if d.table == "orders"] == []
    assert report.unverified == ["service 'tenants': table 'orders' not verified: the migrations "
                                 "of service 'orders' create it"]
    alone = find_drift(history, {"orders"}, snapshot)
    assert [d.state for d in alone.drift if d.table == "orders"] == ["unexplained"]
