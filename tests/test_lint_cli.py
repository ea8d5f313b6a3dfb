"""``orchestrate lint`` through the command line: exit codes, JSON, --since, bad input.

Lint reads revision files and renders SQL offline; the only thing it asks a database is a
PostgreSQL server's version (for --pg-version's default).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import PG_SERVER
from support import orchestrate, write

CORPUS = Path(__file__).parent / "lint_corpus"
ORDERS_HEAD = "b7e3d90f1c56"


def _revision(example: Path, rev: str, down: str, upgrade: str, downgrade: str) -> Path:
    return write(example / "services" / "orders" / "migrations" / "versions" / f"{rev}_x.py",
                 f'"""change {rev}\n\nRevision ID: {rev}\nRevises: {down}\n"""\n'
                 "from alembic import op\nimport sqlalchemy as sa\n\n"
                 f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\n"
                 "depends_on = None\n\n\n"
                 f"def upgrade() -> None:\n{upgrade}\n\n\ndef downgrade() -> None:\n{downgrade}\n")


def test_the_bundled_example_is_clean_on_every_dialect_but_mysql(example):
    result = orchestrate(example, "lint")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "5 revision(s) linted for postgresql 13: 0 error(s), 0 warning(s)" in result.stdout
    assert orchestrate(example, "lint", "--dialect", "sqlite").exit_code == 0
    assert orchestrate(example, "lint", "--dialect", "mysql").exit_code == 1  # human output too
    mysql = orchestrate(example, "lint", "--dialect", "mysql", "--json")
    assert mysql.exit_code == 1
    report = json.loads(mysql.stdout)
    assert [(f["code"], f["service"], f["line"]) for f in report["findings"]] == [
        ("PF503", "invoices", 45)]  # the seed rows are inserted in the DDL revision


def test_json_report_has_a_stable_schema(example):
    result = orchestrate(example, "lint", "users", "orders", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {
        "schema_version": 2,
        "command": "lint",
        "ok": True,
        "exit_code": 0,
        "verdict": "clean",
        "database": None,
        "dialect": "postgresql",
        "pg_version": 13,
        "revisions": [{"service": "users", "revision": "3f2a9c1b0d4e"},
                      {"service": "orders", "revision": ORDERS_HEAD}],
        "findings": [],
        "suppressed": [],
        "summary": {"revisions": 2, "errors": 0, "warnings": 0, "suppressed": 0},
        "since": None,
        "errors": [],
    }


def test_warnings_exit_0_errors_exit_1_and_a_reasoned_suppression_clears_an_error(example):
    _revision(example, "a1a1a1a1a1a1", ORDERS_HEAD,
              '    op.create_index("ix_orders_number_status", "orders", ["number", "status"])',
              '    op.drop_index("ix_orders_number_status", table_name="orders")')
    warned = orchestrate(example, "lint", "orders")
    assert warned.exit_code == 0, warned.stdout
    assert "a1a1a1a1a1a1_x.py:16: PG401 warning orders:a1a1a1a1a1a1 line 16: creates index " \
           "'ix_orders_number_status' on existing table 'orders'" in warned.stdout
    assert "fix: Build it concurrently" in warned.stdout
    assert "warnings only" in warned.stdout

    drop = _revision(example, "b2b2b2b2b2b2", "a1a1a1a1a1a1",
                     '    op.drop_column("orders", "notes")',
                     '    op.add_column("orders", sa.Column("notes", sa.Text(), nullable=True))')
    failed = orchestrate(example, "lint", "orders", "--json")
    assert failed.exit_code == 1
    report = json.loads(failed.stdout)
    assert [(f["code"], f["severity"], f["revision"]) for f in report["findings"]] == [
        ("PG401", "warning", "a1a1a1a1a1a1"), ("DS102", "error", "b2b2b2b2b2b2"),
        ("PG411", "warning", "b2b2b2b2b2b2")]  # the drop locks a live table, no lock_timeout
    finding = report["findings"][1]
    assert finding["object"] == "column orders.notes"
    assert finding["path"] == drop.relative_to(example).as_posix()  # relative to the workspace
    assert finding["message"] == "orders:b2b2b2b2b2b2 line 16: drops column orders.notes"
    assert report["verdict"] == "errors"

    drop.write_text(drop.read_text().replace(
        '    op.drop_column("orders", "notes")',
        '    # orchestrate: allow DS102 -- notes moved to the support tool in release 41\n'
        '    op.drop_column("orders", "notes")'))
    allowed = orchestrate(example, "lint", "orders", "--json")
    assert allowed.exit_code == 0
    report = json.loads(allowed.stdout)
    assert report["summary"] == {"revisions": 3, "errors": 0, "warnings": 2, "suppressed": 1}
    assert report["suppressed"][0]["reason"] == "notes moved to the support tool in release 41"


def test_since_lints_only_the_revisions_after_it(example):
    _revision(example, "c3c3c3c3c3c3", ORDERS_HEAD, '    op.drop_column("orders", "notes")',
              '    op.add_column("orders", sa.Column("notes", sa.Text(), nullable=True))')
    for since in (ORDERS_HEAD, "orders@b7e3", "b7e3d9"):
        result = orchestrate(example, "lint", "--since", since, "--json")
        assert result.exit_code == 1, result.stderr
        report = json.loads(result.stdout)
        assert report["revisions"] == [{"service": "orders", "revision": "c3c3c3c3c3c3"}]
    named = json.loads(orchestrate(example, "lint", "users", "orders", "--since", "orders@head",
                                   "--json").stdout)
    assert named["revisions"] == [{"service": "users", "revision": "3f2a9c1b0d4e"}]
    base = json.loads(orchestrate(example, "lint", "--since", "orders@base", "--json").stdout)
    assert [r["revision"] for r in base["revisions"]] == [ORDERS_HEAD, "c3c3c3c3c3c3"]


def test_bad_input_exits_2_with_a_clear_message(example):
    cases = [
        (["lint", "nosuch"], "unknown service 'nosuch'\n  the workspace has: invoices, orders"),
        (["lint", "--since", "deadbeef"], "--since 'deadbeef': no revision 'deadbeef' in "
                                         "services invoices, orders, products, tenants, users"),
        (["lint", "--since", "orders@deadbeef"], "service 'orders' has no revision 'deadbeef'"),
        (["lint", "users", "--since", "orders@head"],
         "--since 'orders@head': service 'orders' is not among the services linted (users)"),
        (["lint", "--since", "head"], "--since 'head': name the service"),
        (["lint", "--since", "nosuch@head"], "unknown service 'nosuch'"),
    ]
    for args, message in cases:
        result = orchestrate(example, *args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    dialect = orchestrate(example, "lint", "--dialect", "oracle")
    assert dialect.exit_code == 2
    assert "unknown lint dialect 'oracle'" in dialect.stderr
    version = orchestrate(example, "lint", "--pg-version", "7")
    assert version.exit_code == 2 and "Traceback" not in version.stderr
    assert "--pg-version 7: give PostgreSQL's major version" in version.stderr


def test_pg_version_given_or_13_when_no_postgresql_server_answers(example):
    given = json.loads(orchestrate(example, "lint", "--pg-version", "11", "--json").stdout)
    assert given["pg_version"] == 11
    assert json.loads(orchestrate(example, "lint", "--dialect", "sqlite", "--json").stdout)[
        "pg_version"] is None
    nobody = orchestrate(example, "--database-url", "postgresql://postgres@127.0.0.1:1/x",
                         "lint", "--json")
    assert json.loads(nobody.stdout)["pg_version"] == 13, nobody.stderr


@pytest.mark.postgres
def test_pg_version_defaults_to_the_connected_servers(example):
    import anyio
    from sqlalchemy.engine import make_url

    from orchestrator.runtime.database import server_major_version

    url = f"{PG_SERVER}/postgres"
    expected = anyio.run(server_major_version, make_url(url))
    result = orchestrate(example, "--database-url", url, "lint", "--json")
    assert result.exit_code == 0, result.stderr
    assert expected is not None and json.loads(result.stdout)["pg_version"] == expected


def test_a_revision_that_is_not_python_exits_2_naming_file_and_line(example):
    broken = _revision(example, "d4d4d4d4d4d4", ORDERS_HEAD, "    op.drop_column(", "    pass")
    result = orchestrate(example, "lint", "orders")
    assert result.exit_code == 2
    assert f"{broken}:16: not valid Python" in result.stderr


def test_the_corpus_fails_with_errors_through_the_cli():
    result = orchestrate(CORPUS, "lint", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    codes = {f["code"] for f in report["findings"]}
    assert {"OW101", "DS102", "PF506", "PG401", "LN901"} <= codes
    assert report["summary"]["errors"] == len([f for f in report["findings"]
                                               if f["severity"] == "error"]) > 0


def test_sarif_and_github_formats_carry_every_finding(example):
    _revision(example, "a1a1a1a1a1a1", ORDERS_HEAD,
              '    op.create_index("ix_orders_number_status", "orders", ["number", "status"])\n'
              '    # orchestrate: allow DS102 -- notes moved to the support tool, see ticket 7\n'
              '    op.drop_column("orders", "notes")\n'
              '    op.drop_column("orders", "status")',
              '    op.drop_index("ix_orders_number_status", table_name="orders")')
    as_json = json.loads(orchestrate(example, "lint", "orders", "--json").stdout)
    sarif = orchestrate(example, "lint", "orders", "--format", "sarif")
    assert sarif.exit_code == 1, sarif.stderr
    log = json.loads(sarif.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "orchestrate"
    rules = [rule["id"] for rule in driver["rules"]]
    assert rules == sorted(rules) and {"DS102", "PG401", "PG411"} <= set(rules)
    path = "services/orders/migrations/versions/a1a1a1a1a1a1_x.py"
    found = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"][
        "startLine"], "suppressions" in r) for r in run["results"]]
    assert found == [(f["code"], f["severity"], f["line"], False) for f in as_json["findings"]] \
        + [("DS102", "error", 18, True)]
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location == {"uri": path, "uriBaseId": "%SRCROOT%"}
        assert result["message"]["text"]
    assert run["results"][-1]["suppressions"] == [
        {"kind": "inSource", "justification": "notes moved to the support tool, see ticket 7"}]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == example.resolve().as_uri() + "/"

    github = orchestrate(example, "lint", "orders", "--format", "github")
    assert github.exit_code == 1
    lines = github.stdout.splitlines()
    assert lines[-1].startswith("::notice title=orchestrate lint::")
    assert [line.split(" ", 1)[0] for line in lines[:-1]] == [
        "::error" if f["severity"] == "error" else "::warning" for f in as_json["findings"]]
    drop = next(line for line in lines if "DS102" in line)
    assert drop.startswith(f"::error file={path},line=19,title=DS102 drops a column::")
    assert "orders:a1a1a1a1a1a1 line 19: drops column orders.status" in drop

    both = orchestrate(example, "lint", "--json", "--format", "sarif")
    assert both.exit_code == 2 and "choose one" in both.stderr


def test_since_a_head_says_there_is_nothing_after_it(example) -> None:
    """The bundled repo's orders has one revision: --since it lints nothing, and says why."""
    from support import orchestrate, write_revision

    outcome = orchestrate(example, "lint", "orders", "--since", "b7e3d90f")
    assert outcome.exit_code == 0
    assert "service 'orders' has no revision after b7e3d90f1c56: nothing to lint" \
        in outcome.stdout
    write_revision(example, "orders", "d4d4d4d4d4d4", "b7e3d90f1c56",
                   "op.add_column('orders', sa.Column('note', sa.Text(), nullable=True))",
                   downgrade="op.drop_column('orders', 'note')")
    document = json.loads(orchestrate(example, "lint", "orders", "--since", "b7e3d90f",
                                      "--json").stdout)
    assert document["since"] == {"service": "orders", "revision": "b7e3d90f1c56"}
    assert document["revisions"] == [{"service": "orders", "revision": "d4d4d4d4d4d4"}]
    everything = json.loads(orchestrate(example, "lint", "orders", "--since", "base",
                                        "--json").stdout)
    assert everything["since"] == {"service": "orders", "revision": None}
    assert len(everything["revisions"]) == 2
