"""The shapes of real revisions that reading a revision's text got wrong, end to end, on SQLite
and PostgreSQL: each test here failed on the text readers this reading replaced."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from model_workspace import ModelWorkspace
from support import orchestrate, write

MODELS = '''
metadata = sa.MetaData()

customers = sa.Table(
    "customers", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(120), nullable=False, index=True, unique=True),
    sa.Column("region", sa.String(8), nullable=True, index=True),
)
orders = sa.Table(
    "orders", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False,
              index=True),
    sa.Column("placed_at", sa.DateTime, nullable=True, index=True),
)
order_lines = sa.Table(
    "order_lines", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("sku", sa.String(40), nullable=False),
)
'''


def _generated_on_sqlite(ws: ModelWorkspace, tmp_path: Path, db) -> list[Path]:
    """The initial revisions as generate writes them on SQLite: several batch blocks each."""
    scratch = db if db.backend == "sqlite" else f"sqlite+aiosqlite:///{tmp_path / 'gen.db'}"
    written = ws.generate("initial", scratch)
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert text.count("with op.batch_alter_table(") >= 3, text
        assert "as batch_op:" in text
    return written


def test_several_batch_blocks_named_batch_op_leave_no_drift_and_generate_works_again(
        tmp_path, db):
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("shop", MODELS)
    assert len(_generated_on_sqlite(ws, tmp_path, db)) == 1
    ws.run("upgrade", db=db)
    drift = ws.run("check", "--drift", "--json", db=db, code=None)
    assert drift.exit_code == 0, drift.stdout
    assert ws.generate("again", db) == []


def test_seven_services_generated_on_sqlite_upgrade_clean_and_generate_nothing_twice(
        tmp_path, db):
    ws = ModelWorkspace(tmp_path / "ws")
    for number in range(7):
        prefix = f"s{number}_"
        ws.service(f"svc{number}", MODELS.replace('"customers', f'"{prefix}customers')
                   .replace('"orders', f'"{prefix}orders')
                   .replace('"order_lines', f'"{prefix}order_lines'))
    assert len(_generated_on_sqlite(ws, tmp_path, db)) == 7
    ws.run("upgrade", db=db)
    drift = ws.run("check", "--drift", "--json", db=db, code=None)
    assert drift.exit_code == 0, drift.stdout
    assert ws.generate("again", db) == []


HEADER = '''"""{message}

Revision ID: {rev}
Revises: {down}
Create Date: 2024-05-06 07:08:09

"""
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = {down_repr}
branch_labels = None
depends_on = None
'''


def _revision(ws: ModelWorkspace, service: str, rev: str, down: str | None, body: str,
              header: str = HEADER, message: str = "change") -> Path:
    path = ws.root / "services" / service / "migrations" / "versions" / f"{rev}_x.py"
    text = header.format(message=message, rev=rev, down=down or "",
                         down_repr=repr(down)) + body
    return write(path, text)


BASE = '''

def upgrade():
    op.create_table("notes", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("body", sa.Text(), nullable=True),
                    sa.Column("type", sa.String(20), nullable=True),
                    sa.Column("legacy", sa.String(20), nullable=True))
    op.create_table("tags", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("legacy", sa.String(20), nullable=True))


def downgrade():
    op.drop_table("tags")
    op.drop_table("notes")
'''
NOTES = '''
metadata = sa.MetaData()
notes = sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("body", sa.Text), sa.Column("type", sa.String(20)),
                 sa.Column("legacy", sa.String(20)))
tags = sa.Table("tags", metadata, sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("legacy", sa.String(20)))
'''


def _notes(tmp_path: Path) -> ModelWorkspace:
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("notes", NOTES)
    _revision(ws, "notes", "a0a0a0a0a0a0", None, BASE, message="base")
    return ws


def test_both_branches_dropping_a_column_in_batch_blocks_is_refused_by_merge(tmp_path, db):
    ws = _notes(tmp_path)
    for rev in ("b1b1b1b1b1b1", "c2c2c2c2c2c2"):
        _revision(ws, "notes", rev, "a0a0a0a0a0a0", '''

def upgrade():
    with op.batch_alter_table("tags") as batch_op:
        batch_op.add_column(sa.Column("x", sa.Integer()))
    with op.batch_alter_table("notes") as batch_op:
        batch_op.drop_column("legacy")


def downgrade():
    pass
''')
    refused = ws.run("merge", "notes", db=db, code=1)
    assert "both branches remove column notes.legacy" in refused.stderr, refused.stderr
    assert "both branches add column tags.x" in refused.stderr


def test_a_comment_above_the_docstring_keeps_message_and_date(tmp_path, db):
    ws = _notes(tmp_path)
    _revision(ws, "notes", "d3d3d3d3d3d3", "a0a0a0a0a0a0", "\n\ndef upgrade():\n    pass\n",
              header="# -*- coding: utf-8 -*-\n# Copyright the project's authors\n" + HEADER,
              message="with a licence header")
    history = json.loads(ws.run("history", "notes", "--json", db=db).stdout)
    entry = next(e for e in history["revisions"] if e["revision"] == "d3d3d3d3d3d3")
    assert (entry["message"], entry["create_date"]) == (
        "with a licence header", "2024-05-06 07:08:09")


def test_a_table_created_with_a_unicode_literal_is_claimed_by_its_service(tmp_path, db):
    ws = _notes(tmp_path)
    _revision(ws, "notes", "e4e4e4e4e4e4", "a0a0a0a0a0a0", '''

def upgrade():
    op.create_table(u"api_token", sa.Column(u"id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table(u"api_token")
''')
    ws.run("upgrade", db=db)
    plan = json.loads(ws.run("plan", "--json", db=db, code=None).stdout)
    assert "api_token" not in json.dumps([f for f in plan.get("findings", [])
                                          if "unowned" in f.get("kind", "")])
    history = json.loads(ws.run("history", "notes", "--operations", "--json", db=db).stdout)
    entry = next(e for e in history["revisions"] if e["revision"] == "e4e4e4e4e4e4")
    assert "+api_token" in ws.run("history", "notes", "--operations", db=db).stdout
    assert entry["table_operations"] == [
        {"operation": "create_table", "table": "api_token", "new_name": None}]


def _lint(ws: ModelWorkspace, db, dialect: str) -> list[tuple[str, int]]:
    outcome = ws.run("lint", "notes", "--json", "--dialect", dialect, db=db, code=None)
    assert outcome.exit_code in (0, 1), outcome.stderr
    return sorted((f["code"], f["line"]) for f in json.loads(outcome.stdout)["findings"]
                  if f["revision"] != "a0a0a0a0a0a0")


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_drops_in_loops_through_constants_and_drop_and_recreate_are_seen(tmp_path, db, dialect):
    ws = _notes(tmp_path)
    _revision(ws, "notes", "f5f5f5f5f5f5", "a0a0a0a0a0a0", '''
LEGACY_TABLES = ("notes", "tags")
SCRATCH = "tags"


def upgrade():
    for table in LEGACY_TABLES:
        op.drop_column(table, "legacy")
    op.drop_table(SCRATCH)
    op.create_table(SCRATCH, sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    pass
''')
    findings = _lint(ws, db, dialect)
    assert findings.count(("DS102", 22)) == 2  # one per table of the loop
    assert ("DS101", 23) in findings  # the drop comes before the re-creation


def test_a_column_named_type_is_not_a_type_change(tmp_path, db):
    ws = _notes(tmp_path)
    _revision(ws, "notes", "a6a6a6a6a6a6", "a0a0a0a0a0a0", '''

def upgrade():
    op.execute("UPDATE notes SET type = 'plain' WHERE type IS NULL")
    op.alter_column("notes", "type", nullable=False, existing_type=sa.String(20))


def downgrade():
    op.alter_column("notes", "type", nullable=True, existing_type=sa.String(20))
''')
    findings = _lint(ws, db, "postgresql")
    assert not [f for f in findings if f[0] in ("PG405", "DD202")], findings


def test_an_index_renamed_in_raw_sql_is_no_drift(tmp_path, db):
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("notes", '''
metadata = sa.MetaData()
notes = sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("author", sa.String(40), index=True))
''')
    _revision(ws, "notes", "a0a0a0a0a0a0", None, '''

def upgrade():
    op.create_table("notes", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("author", sa.String(40), nullable=True))
    op.create_index("ix_notes_writer", "notes", ["author"])


def downgrade():
    op.drop_table("notes")
''', message="base")
    rename = {
        "postgresql": '    op.execute("ALTER INDEX ix_notes_writer RENAME TO ix_notes_author")',
        "mariadb": '    op.execute("ALTER TABLE notes RENAME INDEX ix_notes_writer TO '
                   'ix_notes_author")',
        "sqlite": '    op.execute("DROP INDEX ix_notes_writer")\n'  # SQLite: no ALTER INDEX
                  '    op.execute("CREATE INDEX ix_notes_author ON notes (author)")'}[db.backend]
    _revision(ws, "notes", "b7b7b7b7b7b7", "a0a0a0a0a0a0",
              f"\n\ndef upgrade():\n{rename}\n\n\ndef downgrade():\n    pass\n")
    ws.run("upgrade", db=db)
    drift = ws.run("check", "--drift", "--json", db=db, code=None)
    assert drift.exit_code == 0, drift.stdout


# PostgreSQL drops a check constraint with the only column it names, whether the column goes
# through op.drop_column or raw SQL; SQLite has no such cascade (Alembic's batch re-creation
# keeps the constraint), so there the revision drops it first, as SQLite projects do.
DROPS = {
    "postgresql": ['    op.drop_column("notes", "score")',
                   '    op.execute("ALTER TABLE ranks DROP COLUMN rank CASCADE")'],
    "mariadb": ['    op.drop_column("notes", "score")',  # MariaDB drops its checks too
                '    op.execute("ALTER TABLE ranks DROP COLUMN `rank`")'],
    "sqlite": ['    with op.batch_alter_table("notes") as batch_op:\n'
               '        batch_op.drop_constraint("ck_notes_score", type_="check")\n'
               '        batch_op.drop_column("score")',
               '    with op.batch_alter_table("ranks") as batch_op:\n'
               '        batch_op.drop_constraint("ck_ranks_rank", type_="check")\n'
               '        batch_op.drop_column("rank")'],
}


def test_check_constraints_dropped_with_their_column_are_no_drift(tmp_path, db):
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("notes", '''
metadata = sa.MetaData()
notes = sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True))
ranks = sa.Table("ranks", metadata, sa.Column("id", sa.Integer, primary_key=True))
''')
    _revision(ws, "notes", "a0a0a0a0a0a0", None, '''

def upgrade():
    op.create_table("notes", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("score", sa.Integer(), nullable=True),
                    sa.CheckConstraint("score >= 0", name="ck_notes_score"))
    op.create_table("ranks", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("rank", sa.Integer(), nullable=True),
                    sa.CheckConstraint("rank > 0", name="ck_ranks_rank"))


def downgrade():
    op.drop_table("ranks")
    op.drop_table("notes")
''', message="base")
    for rev, drop in zip(("c8c8c8c8c8c8", "c9c9c9c9c9c9"), DROPS[db.backend]):
        down = "a0a0a0a0a0a0" if rev == "c8c8c8c8c8c8" else "c8c8c8c8c8c8"
        _revision(ws, "notes", rev, down,
                  f"\n\ndef upgrade():\n{drop}\n\n\ndef downgrade():\n    pass\n")
    ws.run("upgrade", db=db)
    drift = ws.run("check", "--drift", "--json", db=db, code=None)
    assert drift.exit_code == 0, drift.stdout


@pytest.mark.skipif(importlib.util.find_spec("alembic_postgresql_enum") is None,
                    reason="alembic-postgresql-enum is not installed")
def test_a_plugin_operation_the_services_env_registers_reads_as_what_it_is(tmp_path, db):
    ws = _notes(tmp_path)
    write(ws.root / "services/notes/migrations/env.py",
          "import alembic_postgresql_enum  # noqa: F401  (registers op.sync_enum_values)\n"
          "from orchestrator.envrunner import run_env\n\nrun_env()\n")
    _revision(ws, "notes", "d9d9d9d9d9d9", "a0a0a0a0a0a0", '''

def upgrade():
    op.sync_enum_values("public", "note_kind", ["plain", "rich"], [])


def downgrade():
    pass
''')
    for dialect in ("postgresql", "sqlite"):
        findings = _lint(ws, db, dialect)
        assert not [f for f in findings if f[0].startswith("LN")], findings
    history = json.loads(ws.run("history", "notes", "--json", db=db).stdout)
    assert [e["revision"] for e in history["revisions"]] == ["a0a0a0a0a0a0", "d9d9d9d9d9d9"]
    assert orchestrate(ws.root, "heads", "--json", url=db.url).exit_code == 0


def test_a_branch_revision_read_only_partly_is_a_merge_warning_naming_file_and_line(
        tmp_path, db):
    ws = _notes(tmp_path)
    _revision(ws, "notes", "b1b1b1b1b1b1", "a0a0a0a0a0a0", '''

def upgrade():
    rows = op.get_bind().execute(sa.text("SELECT id FROM notes")).fetchall()
    op.drop_column("notes", "legacy")


def downgrade():
    pass
''')
    _revision(ws, "notes", "c2c2c2c2c2c2", "a0a0a0a0a0a0", '''

def upgrade():
    op.add_column("tags", sa.Column("x", sa.Integer()))


def downgrade():
    pass
''')
    merged = ws.run("merge", "notes", "--json", db=db)
    warnings = json.loads(merged.stdout)["merged"][0]["warnings"]
    assert [(w["kind"], w["locations"]) for w in warnings] == [
        ("unread", ["services/notes/migrations/versions/b1b1b1b1b1b1_x.py:18"])]
    assert "could not be read past that line" in warnings[0]["message"]
