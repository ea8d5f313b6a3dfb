"""`orchestrate plan`: every part on SQLite and PostgreSQL, and the JSON schema."""
from __future__ import annotations

import json
import re

from support import example_plan_exit, orchestrate, write

TOP_KEYS = {"schema_version", "command", "ok", "exit_code", "verdict", "database", "services",
            "steps", "findings", "summary", "errors"}
SERVICE_KEYS = {"service", "tenant", "version_table", "current", "heads", "at_head", "status",
                "unknown_revisions", "pending",
                "model_changes", "not_compared", "findings"}
STEP_KEYS = {"position", "service", "revision", "direction", "message"}
FINDING_KEYS = {"severity", "code", "service", "message"}


def plan_json(root, url):
    result = orchestrate(root, "plan", "--json", url=url)
    return result.exit_code, json.loads(result.stdout)


def branch(root, service, revision, down, body="pass"):
    write(root / f"services/{service}/migrations/versions/{revision}_branch.py",
          f'"""branch {revision}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
          f'revision = "{revision}"\ndown_revision = "{down}"\n\n\n'
          f"def upgrade():\n    {body}\n\n\ndef downgrade():\n    pass\n")


def test_json_schema_on_an_empty_database(example, db):
    code, plan = plan_json(example, db.url)
    assert code == example_plan_exit(db.backend)
    assert set(plan) == TOP_KEYS and plan["schema_version"] == 2
    assert set(plan["database"]) == {"url", "dialect", "exists"}
    assert plan["database"]["dialect"] == db.backend
    for service in plan["services"]:
        assert set(service) == SERVICE_KEYS
        assert service["current"] == [] and not service["at_head"]
        assert [set(p) for p in service["pending"]] == [
            {"revision", "message", "requires", "lint"}]
        assert service["model_changes"] is None
        assert "not at head" in service["not_compared"] or (
            "does not exist yet" in service["not_compared"])
    assert all(set(step) == STEP_KEYS for step in plan["steps"])
    assert [step["position"] for step in plan["steps"]] == [1, 2, 3, 4, 5]
    errors = example_plan_exit(db.backend)  # MariaDB: PF503 in invoices
    assert plan["summary"] == {"services": 5, "pending_revisions": 5, "model_changes": 0,
                               "errors": errors, "warnings": 0}
    assert plan["verdict"] == ("problems" if errors else "clean")


def test_plan_steps_are_exactly_what_upgrade_applies(example, db):
    _, plan = plan_json(example, db.url)
    result = orchestrate(example, "upgrade", "--json", url=db.url)
    applied = json.loads(result.stdout)["applied"]
    assert [(s["service"], s["revision"]) for s in applied] == [
        (s["service"], s["revision"]) for s in plan["steps"]]


def test_several_heads_are_flagged_and_exit_1(example, db):
    branch(example, "users", "b1b1b1b1b1b1", "3f2a9c1b0d4e")
    branch(example, "users", "b2b2b2b2b2b2", "3f2a9c1b0d4e")
    code, plan = plan_json(example, db.url)
    assert code == 1 and plan["verdict"] == "problems"
    users = next(s for s in plan["services"] if s["service"] == "users")
    assert users["heads"] == ["b1b1b1b1b1b1", "b2b2b2b2b2b2"]
    assert [f["code"] for f in users["findings"]] == ["multiple-heads"]
    text = orchestrate(example, "plan", url=db.url)
    assert text.exit_code == 1 and "orchestrate merge users" in text.stdout
    assert "problems:" in text.stdout


def test_unowned_table_is_a_warning_and_ignored_tables_are_not(example, db):
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    db.execute("CREATE TABLE legacy_reports (id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE celery_taskmeta (id INTEGER PRIMARY KEY)")
    code, plan = plan_json(example, db.url)
    assert code == 0
    assert [(f["code"], f["severity"]) for f in plan["findings"]] == [
        ("unowned-table", "warning")]
    assert "legacy_reports" in plan["findings"][0]["message"]
    assert plan["summary"]["warnings"] == 1


def test_ownership_overlap_is_reported_not_fatal(example, db):
    write(example / "services/products/models/stolen.py",
          "import sqlalchemy as sa\nfrom services.products.models import metadata\n\n"
          "users = sa.Table('users', metadata, sa.Column('id', sa.Integer, primary_key=True))\n")
    code, plan = plan_json(example, db.url)
    assert code == 1
    overlap = [f for f in plan["findings"] if f["code"] == "ownership-overlap"]
    assert len(overlap) == 1
    assert "'users'" in overlap[0]["message"] and "'products'" in overlap[0]["message"]


def test_database_at_a_revision_the_code_lacks(example, db):
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    db.execute("UPDATE alembic_version_products SET version_num = 'feedfacecafe'")
    code, plan = plan_json(example, db.url)
    assert code == 1 and plan["steps"] == []
    products = next(s for s in plan["services"] if s["service"] == "products")
    assert products["findings"][0]["code"] == "unknown-database-revision"
    assert "feedfacecafe" in products["findings"][0]["message"]


def test_a_database_that_does_not_exist_plans_from_base(example, db):
    missing = db.url.rsplit("/", 1)[0] + "/orch_never_created" if db.backend != "sqlite" \
        else db.url.replace("test.db", "absent/never.db")
    code, plan = plan_json(example, missing)
    assert code == example_plan_exit(db.backend)
    assert plan["database"]["exists"] is False
    assert len(plan["steps"]) == 5
    text = orchestrate(example, "plan", url=missing)
    assert "not created yet" in text.stdout


def test_plan_sql_renders_pending_steps_from_where_the_database_is(example, db):
    assert orchestrate(example, "upgrade", "tenants", "users", "products", url=db.url).exit_code == 0
    result = orchestrate(example, "plan", "--sql", url=db.url)
    assert result.exit_code == example_plan_exit(db.backend), result.stderr
    assert "CREATE TABLE orders" in result.stdout and "CREATE TABLE invoices" in result.stdout
    assert "CREATE TABLE users" not in result.stdout
    assert db.version("orders") == []  # nothing applied by plan


def test_pending_model_changes_are_found_from_one_reflection(example, db):
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    users = example / "services/users/models/users.py"
    users.write_text(users.read_text().replace(
        '    sa.Column("email"', '    sa.Column("nickname", sa.String(40), nullable=True),\n'
        '    sa.Column("email"'))
    code, plan = plan_json(example, db.url)
    assert code == 1 and plan["summary"]["model_changes"] == 1
    by_name = {s["service"]: s for s in plan["services"]}
    assert by_name["users"]["model_changes"] == [
        {"operation": "add_column", "table": "users", "object": "nickname",
         "detail": "String(length=40)"}]
    assert [f["code"] for f in by_name["users"]["findings"]] == ["model-changes"]
    assert all(by_name[n]["model_changes"] == [] for n in ("tenants", "orders", "invoices"))
    text = orchestrate(example, "plan", url=db.url).stdout
    assert "orchestrate generate users" in text


def test_lint_findings_of_pending_revisions(example, db):
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    write(example / "services/orders/migrations/versions/dd00000000aa_drop_notes.py",
          '"""drop notes"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
          'revision = "dd00000000aa"\ndown_revision = "b7e3d90f1c56"\n\n\n'
          "def upgrade():\n"
          '    with op.batch_alter_table("orders") as batch:\n'
          '        batch.drop_column("notes")\n\n\n'
          "def downgrade():\n"
          '    with op.batch_alter_table("orders") as batch:\n'
          '        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))\n')
    code, plan = plan_json(example, db.url)
    assert code == 1
    orders = next(s for s in plan["services"] if s["service"] == "orders")
    assert "DS102" in [f["code"] for f in orders["pending"][0]["lint"]]
    assert any(f["code"] == "DS102" and f["severity"] == "error" for f in orders["findings"])
    assert orders["model_changes"] is None  # not at head: compared once upgraded


#: The human table's ``status`` cell for each JSON ``services[].status`` (n: pending count).
STATUS_WORDS = {"up-to-date": "up to date", "pending": "{n} pending",
                "several-heads": "several heads, {n} pending",
                "unknown-revision": "unknown revision", "no-revisions": "no revisions"}


def table_rows(stdout: str) -> dict[str, dict[str, str]]:
    """The services table of human ``plan`` output, cut at the columns its rule line marks."""
    lines = stdout.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    starts = [m.start() for m in re.finditer(r"-+", lines[rule])]
    names = [lines[rule - 1][a:b].strip() for a, b in zip(starts, [*starts[1:], None])]
    rows = {}
    for line in lines[rule + 1:]:
        if not line.strip():
            break
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None])]
        rows[cells[0]] = dict(zip(names, cells))
    return rows


def assert_table_matches_json(root, url, expected_exit: int) -> dict:
    """The human table, row by row, is what the JSON says; ``up to date`` only when true."""
    code, plan = plan_json(root, url)
    human = orchestrate(root, "plan", url=url)
    assert code == human.exit_code == expected_exit, human.stdout
    rows = table_rows(human.stdout)
    assert list(rows) == [s["service"] for s in plan["services"]]
    for service in plan["services"]:
        row = rows[service["service"]]
        assert row["database"] == (", ".join(r[:12] for r in service["current"]) or "(base)")
        assert row["head"] == ", ".join(r[:12] for r in service["heads"])
        assert row["status"] == STATUS_WORDS[service["status"]].format(
            n=len(service["pending"]))
        if service["status"] == "up-to-date":
            assert service["at_head"] and not service["pending"]
            assert len(service["heads"]) == 1 and not service["unknown_revisions"]
    return plan


def test_table_and_json_agree_on_a_clean_database(example, db):
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    plan = assert_table_matches_json(example, db.url, 0)
    assert {s["status"] for s in plan["services"]} == {"up-to-date"}


def test_table_and_json_agree_on_pending_revisions(example, db):
    assert orchestrate(example, "upgrade", "tenants", "users", url=db.url).exit_code == 0
    plan = assert_table_matches_json(example, db.url, example_plan_exit(db.backend))
    status = {s["service"]: s["status"] for s in plan["services"]}
    assert status == {"tenants": "up-to-date", "users": "up-to-date", "products": "pending",
                      "orders": "pending", "invoices": "pending"}


def test_table_and_json_agree_on_a_forked_service(example, db):
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    (head,) = db.version("users")
    branch(example, "users", "aaaa00000001", head)
    branch(example, "users", "bbbb00000002", head)
    plan = assert_table_matches_json(example, db.url, 1)
    users = next(s for s in plan["services"] if s["service"] == "users")
    assert users["status"] == "several-heads" and len(users["pending"]) == 2


def test_table_and_json_agree_on_an_unknown_database_revision(example, db):
    """The other services' pending revisions are still shown: never ``up to date``."""
    assert orchestrate(example, "upgrade", "tenants", "products", url=db.url).exit_code == 0
    db.execute("UPDATE alembic_version_products SET version_num = 'feedfacecafe'")
    plan = assert_table_matches_json(example, db.url, 1)
    status = {s["service"]: s["status"] for s in plan["services"]}
    assert status == {"tenants": "up-to-date", "products": "unknown-revision",
                      "users": "pending", "orders": "pending", "invoices": "pending"}
    products = next(s for s in plan["services"] if s["service"] == "products")
    assert products["unknown_revisions"] == ["feedfacecafe"] and plan["steps"] == []
