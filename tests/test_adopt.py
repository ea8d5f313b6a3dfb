"""`orchestrate adopt`: a database whose version rows sit in a table of no service (plain
Alembic's single ``alembic_version``, or another naming) is flagged by `plan`, refused by
`upgrade`, and taken over in one transaction; on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import shutil

from support import REPO, orchestrate

SERVICES = ("tenants", "products", "users", "orders", "invoices")


def legacy_database(root, db, legacy: str = "alembic_version", services=SERVICES) -> list[str]:
    """The example's schema, its version rows moved to one ``legacy`` table (as plain Alembic
    with one shared history leaves them); returns those rows."""
    assert orchestrate(root, "upgrade", url=db.url).exit_code == 0
    db.execute(f"CREATE TABLE {legacy} (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    for name in services:
        db.execute(f"INSERT INTO {legacy} SELECT version_num FROM alembic_version_{name}")
    for name in SERVICES:
        db.execute(f"DROP TABLE alembic_version_{name}")
    return sorted(db.scalar_rows(f"SELECT version_num FROM {legacy}"))


def run_json(root, *args, url):
    outcome = orchestrate(root, *args, "--json", url=url)
    return outcome.exit_code, json.loads(outcome.stdout)


def test_plan_flags_upgrade_refuses_adopt_takes_over(example, db):
    rows = legacy_database(example, db)
    code, plan = run_json(example, "plan", url=db.url)
    assert code == 1 and plan["steps"] == []
    (finding,) = [f for f in plan["findings"] if f["code"] == "legacy-version-table"]
    assert "'alembic_version'" in finding["message"] and "orchestrate adopt" in finding["message"]
    assert "up-to-date" not in {s["status"] for s in plan["services"]}
    code, refused = run_json(example, "upgrade", url=db.url)
    assert code == 2 and "adopt" in refused["errors"][0]["message"]
    shutil.copytree(REPO / "trains", example / "trains")
    code, refused = run_json(example, "train", "run", "first-release", url=db.url)
    assert code == 2 and "adopt" in refused["errors"][0]["message"]

    code, current = run_json(example, "current", url=db.url)
    assert code == 0 and current["legacy_tables"] == [{"table": "alembic_version", "rows": rows}]
    assert "orchestrate adopt" in orchestrate(example, "current", url=db.url).stdout
    code, dry = run_json(example, "adopt", "--dry-run", url=db.url)
    assert code == 0 and dry["verdict"] == "dry-run"
    assert {a["service"]: a["revisions"] for a in dry["assignments"]} == {
        name: sorted(revisions_of(example, name)) for name in SERVICES}  # one revision each
    code, script = run_json(example, "adopt", "--sql", url=db.url)
    assert code == 0 and "alembic_version_users" in script["sql"]
    assert "orchestrate_adopted_alembic_version" in script["sql"]
    assert "alembic_version_users" not in db.tables()  # neither wrote anything

    code, done = run_json(example, "adopt", url=db.url)
    assert code == 0 and done["verdict"] == "adopted" and done["run_id"]
    assert sorted(r for name in SERVICES for r in db.version(name)) == rows
    assert "alembic_version" not in db.tables()
    assert sorted(db.scalar_rows("SELECT version_num FROM orchestrate_adopted_alembic_version")
                  ) == rows  # kept, renamed, until the user drops it
    assert db.scalar_rows("SELECT kind FROM orchestrate_runs") == ["adopt"]
    assert orchestrate(example, "plan", url=db.url).exit_code == 0
    code, again = run_json(example, "adopt", url=db.url)
    assert code == 0 and again["verdict"] == "nothing-to-do"


def revisions_of(root, service) -> set[str]:
    outcome = orchestrate(root, "history", service, "--json")
    return {r["revision"] for r in json.loads(outcome.stdout)["revisions"]}


def test_rows_of_no_history_or_missing_tables_are_refused(example, db):
    legacy_database(example, db)
    db.execute("INSERT INTO alembic_version VALUES ('feedfacecafe')")
    db.execute("DROP TABLE invoice_lines")
    code, dry = run_json(example, "adopt", "--dry-run", url=db.url)
    assert code == 1 and dry["verdict"] == "problems"
    problems = " ".join(dry["problems"])
    assert "feedfacecafe (in alembic_version) are in no service's history" in problems
    assert "service 'invoices'" in problems and "invoice_lines" in problems
    code, refused = run_json(example, "adopt", url=db.url)
    assert code == 2 and "nothing was changed" in refused["errors"][0]["message"]
    assert "alembic_version" in db.tables() and "alembic_version_users" not in db.tables()


def test_another_naming_and_a_configured_legacy_name(example, db):
    """Per-service tables named otherwise (``users_alembic_version``), and a legacy table
    named in [tool.orchestrate] legacy_version_table."""
    from support import edit

    legacy_database(example, db, "users_alembic_version", services=("users",))
    db.execute("CREATE TABLE schema_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    for name in ("tenants", "products", "orders", "invoices"):
        (rev,) = revisions_of(example, name)
        db.execute(f"INSERT INTO schema_version VALUES ('{rev}')")
    edit(example / "pyproject.toml", "[tool.orchestrate]\n",
         '[tool.orchestrate]\nlegacy_version_table = "schema_version"\n')
    code, plan = run_json(example, "plan", url=db.url)
    flagged = [f["message"] for f in plan["findings"] if f["code"] == "legacy-version-table"]
    assert code == 1 and len(flagged) == 2
    code, done = run_json(example, "adopt", url=db.url)
    assert code == 0, done
    assert {t["kept_as"] for t in done["legacy_tables"]} == {
        "orchestrate_adopted_users_alembic_version", "orchestrate_adopted_schema_version"}
    assert orchestrate(example, "plan", url=db.url).exit_code == 0
