"""The recorded reading of a revision: identifiers as Alembic sees them, and what its
functions do, per call, for a dialect."""
from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest

from orchestrator.history import recording
from orchestrator.history.reading_cache import ReadingCache, content_key
from orchestrator.history.recording import RevisionReader
from orchestrator.history.revisions import read_revision_file

DIALECTS = ["postgresql", "sqlite"]


def _file(tmp_path: Path, body: str, name: str = "r1.py", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(body).encode(encoding))
    return path


def _revision(folder: Path, body: str) -> Path:
    path = folder / "r1.py"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def _read(path: Path, dialect: str = "postgresql", render: bool = False):
    reader = RevisionReader(dialect)
    with reader.session():
        return reader.read(path, render=render)


HEADER = '''\
from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None
'''


def test_metadata_is_read_from_the_module_whatever_precedes_its_docstring(tmp_path):
    path = _file(tmp_path, '''\
        # -*- coding: latin-1 -*-
        # Copyright: a comment above the docstring, as in many real histories
        u"""add the café table

        Revision ID: r1
        Revises:
        Create Date: 2019-03-04 05:06:07.123456

        """
        revision = u"r1"
        down_revision = None
        requires = ["users:u1"]
        ''', encoding="latin-1")
    revision = read_revision_file("svc", path)
    assert (revision.revision, revision.message, revision.create_date) == (
        "r1", "add the café table", "2019-03-04 05:06:07.123456")
    assert [str(r) for r in revision.requires] == ["users:u1"]


def test_identifiers_computed_at_import_time_are_read_as_alembic_reads_them(tmp_path):
    path = _file(tmp_path, '''\
        """computed"""
        PARENTS = ("a1", "b2")
        revision = "r" + "1"
        down_revision = tuple(PARENTS)
        ''')
    assert read_revision_file("svc", path).down_revisions == ("a1", "b2")


def test_a_revision_does_not_inherit_the_readers_future_imports(tmp_path):
    path = _file(tmp_path, '''\
        """annotations evaluated as the revision's own module says"""
        answer: int = 42
        assert __annotations__["answer"] is int
        revision = "r1"
        down_revision = None
        ''')
    reading = _read(path)
    assert reading.failure is None and reading.metadata.revision == "r1"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_batch_blocks_all_named_batch_op_act_on_their_own_tables(tmp_path, dialect):
    path = _revision(tmp_path, '''
        def upgrade():
            with op.batch_alter_table("users") as batch_op:
                batch_op.create_index(batch_op.f("ix_users_email"), ["email"], unique=True)
            with op.batch_alter_table("orders") as batch_op:
                batch_op.create_index(batch_op.f("ix_orders_user_id"), ["user_id"])
                batch_op.drop_column("legacy")
        ''')
    calls = _read(path, dialect).upgrade.calls
    assert [(c.name, c.table, c.target, c.batch, c.line) for c in calls] == [
        ("create_index", "users", "ix_users_email", True, 9),
        ("create_index", "orders", "ix_orders_user_id", True, 11),
        ("drop_column", "orders", "legacy", True, 12),
    ]
    assert calls[0].kind == "CreateIndexOp" and calls[0].option("unique") is True


@pytest.mark.parametrize("dialect", DIALECTS)
def test_loops_constants_helpers_and_unicode_names_resolve_as_alembic_runs_them(
        tmp_path, dialect):
    path = _revision(tmp_path, '''
        LEGACY = ("a_old", "b_old")
        ARCHIVE = u"archive"


        def _drop(table):
            op.drop_table(table)


        def upgrade():
            op.create_table(u"api_token", sa.Column("id", sa.Integer(), primary_key=True))
            for table in LEGACY:
                op.drop_column(table, "type")
            _drop(ARCHIVE)
            op.drop_table("api_token")
            op.create_table("api_token", sa.Column("id", sa.Integer(), primary_key=True))
        ''')
    reading = _read(path, dialect)
    assert [(c.name, c.table, c.target, c.lines) for c in reading.upgrade.calls] == [
        ("create_table", "api_token", None, (16,)),
        ("drop_column", "a_old", "type", (18,)),
        ("drop_column", "b_old", "type", (18,)),
        ("drop_table", "archive", None, (12, 19)),
        ("drop_table", "api_token", None, (20,)),
        ("create_table", "api_token", None, (21,)),
    ]
    assert reading.table_operations() == (
        ("create_table", "api_token", None), ("drop_table", "archive", None),
        ("drop_table", "api_token", None), ("create_table", "api_token", None))


def test_calls_inside_if_or_try_are_guarded(tmp_path):
    path = _revision(tmp_path, '''
        def upgrade():
            op.add_column("t", sa.Column("a", sa.Integer()))
            if op.get_context().dialect.name == "postgresql":
                op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            try:
                op.drop_constraint("ck_t_a", "t")
            except Exception:
                pass
        ''')
    calls = _read(path).upgrade.calls
    assert [(c.name, c.guarded) for c in calls] == [
        ("add_column", False), ("execute", True), ("drop_constraint", True)]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_reading_rows_stops_the_reading_there_and_says_where(tmp_path, dialect):
    path = _revision(tmp_path, '''
        def upgrade():
            op.add_column("t", sa.Column("a", sa.Integer()))
            bind = op.get_bind()
            bind.execute(sa.text("UPDATE t SET a = :v"), {"v": 1})
            count = bind.execute(sa.text("SELECT count(*) FROM t")).scalar()
            op.drop_column("t", "b")


        def downgrade():
            raise NotImplementedError("irreversible")
        ''')
    reading = _read(path, dialect)
    upgrade = reading.upgrade
    assert [c.name for c in upgrade.calls] == ["add_column", "connection", "connection"]
    assert [(s.verb, s.table, s.line) for s in upgrade.sql()] == [
        ("update", "t", 10), ("other", None, 11)]
    assert upgrade.stop.line == 11 and upgrade.stop.needs_database
    assert "reads the result of a statement from the database (SELECT count(*) FROM t)" in upgrade.stop.message
    assert reading.downgrade.refused and reading.downgrade.stop is None
    assert reading.unread == [upgrade.stop]


def test_raw_sql_is_parsed_and_attached_to_its_call(tmp_path):
    path = _revision(tmp_path, '''
        def upgrade():
            op.execute("ALTER INDEX ix_a RENAME TO ix_b; ALTER TABLE t DROP COLUMN c CASCADE")
        ''')
    (call,) = _read(path).upgrade.calls
    assert call.kind == "ExecuteSQLOp" and call.option("sql").startswith("ALTER INDEX")
    assert [(s.verb, [(k.kind, k.name, k.new_name, k.cascade) for k in s.clauses])
            for s in call.sql] == [
        ("alter index", [("rename index", "ix_a", "ix_b", False)]),
        ("alter table", [("drop column", "c", None, True)]),
    ]


def test_sqlite_batch_blocks_that_need_the_live_table_are_read_but_not_rendered(tmp_path):
    path = _revision(tmp_path, '''
        def upgrade():
            with op.batch_alter_table("orders") as batch_op:
                batch_op.drop_column("legacy")
            op.add_column("users", sa.Column("a", sa.Integer()))
        ''')
    upgrade = _read(path, "sqlite", render=True).upgrade
    assert [(c.name, c.table) for c in upgrade.calls] == [
        ("drop_column", "orders"), ("add_column", "users")]
    assert upgrade.complete and [u.line for u in upgrade.unrendered] == [8]
    assert "live database connection" in upgrade.calls[0].render_error
    assert [s.sql for s in upgrade.calls[1].sql] == ["ALTER TABLE users ADD COLUMN a INTEGER"]


def test_a_plugin_operation_reads_as_what_it_is(tmp_path):
    pytest.importorskip("alembic_postgresql_enum")
    path = _revision(tmp_path, '''
        from alembic_postgresql_enum import TableReference


        def upgrade():
            op.sync_enum_values(
                enum_schema="public", enum_name="status", new_values=["a", "b"],
                affected_columns=[TableReference(table_schema="public", table_name="orders",
                                                 column_name="status")],
                enum_values_to_rename=[],
            )
        ''')
    upgrade = _read(path).upgrade
    assert upgrade.complete
    (call,) = upgrade.calls
    assert call.name == "sync_enum_values" and call.line == 11
    assert any("ALTER TYPE" in s.sql for s in call.sql)


def test_reading_a_plugin_operation_for_sqlite_is_quiet(tmp_path, caplog):
    """The plugin's "only supports postgresql, skipping" is for running a revision, not for
    reading it: nothing is logged while reading, and the plugin's own level is given back."""
    pytest.importorskip("alembic_postgresql_enum")
    path = _revision(tmp_path, '''
        import alembic_postgresql_enum  # noqa: F401


        def upgrade():
            op.sync_enum_values("public", "status", ["a"], [])
        ''')
    plugin_log = logging.getLogger("alembic.alembic_postgresql_enum")
    before = plugin_log.level
    with caplog.at_level(logging.WARNING):
        upgrade = _read(path, "sqlite").upgrade
    assert upgrade.complete  # on SQLite the plugin's operation does nothing, as it would run
    assert not [r for r in caplog.records if "only supports postgresql" in r.getMessage()]
    assert plugin_log.level == before


def test_a_plugin_the_services_env_imports_is_loaded_for_its_revisions(tmp_path):
    pytest.importorskip("alembic_postgresql_enum")
    from alembic.config import Config

    (tmp_path / "versions").mkdir()
    (tmp_path / "env.py").write_text("import alembic_postgresql_enum  # noqa: F401\n")
    config = Config()
    config.set_main_option("script_location", str(tmp_path))
    path = _revision(tmp_path / "versions", '''
        def upgrade():
            op.sync_enum_values("public", "status", ["a"], [])
        ''')
    reader = RevisionReader("postgresql", config)
    with reader.session():
        upgrade = reader.read(path).upgrade
    assert upgrade.complete and [c.name for c in upgrade.calls] == ["sync_enum_values"]


def test_a_directive_nobody_provides_stops_the_reading_naming_it(tmp_path):
    path = _revision(tmp_path, '''
        def upgrade():
            op.no_such_directive("x")
        ''')
    stop = _read(path).upgrade.stop
    assert stop.line == 8 and "no_such_directive" in stop.message


def test_the_cache_serves_a_second_reading_without_running_anything(tmp_path, monkeypatch):
    path = _revision(tmp_path, '''
        def upgrade():
            op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True))
        ''')
    source = path.read_bytes()
    cache = ReadingCache(tmp_path / "cache", "svc", "postgresql")
    cache.put(content_key(source), _read(path))
    cache.save()

    def refuse(*args, **kw):
        raise AssertionError("read again")

    monkeypatch.setattr(recording.RevisionReader, "read", refuse)
    again = ReadingCache(tmp_path / "cache", "svc", "postgresql")
    metadata, table_ops, entity_ops = again.summary(content_key(source))
    assert metadata.revision == "r1" and table_ops == (("create_table", "t", None),)
    assert entity_ops == ()
    reading = again.reading(content_key(source), rendered=False, path=path)
    assert [c.name for c in reading.upgrade.calls] == ["create_table"]
    assert reading.upgrade.calls[0].operation is None  # facts kept, live objects not
    assert again.reading(content_key(source), rendered=True, path=path) is None
    assert ReadingCache(tmp_path / "cache", "svc", "sqlite").summary(
        content_key(source)) is None


def test_statements_know_whether_they_run_in_the_revisions_transaction(tmp_path):
    path = _revision(tmp_path, '''
        def upgrade():
            op.add_column("orders", sa.Column("note", sa.Text()))
            with op.get_context().autocommit_block():
                op.create_index("ix_orders_note", "orders", ["note"],
                                postgresql_concurrently=True)
            op.execute("COMMIT; DROP INDEX CONCURRENTLY ix_old; BEGIN")
            op.execute("UPDATE orders SET note = ''")
        ''')
    statements = _read(path, render=True).upgrade.sql()
    assert [(s.verb, s.in_transaction) for s in statements] == [
        ("alter table", True), ("create index", False), ("drop index", False), ("update", True)]


def test_what_a_revision_skips_offline_is_noted_with_its_line(tmp_path):
    path = _revision(tmp_path, '''
        from alembic import context


        def upgrade():
            if not context.is_offline_mode():
                op.execute("UPDATE orders SET note = ''")
            try:
                rows = op.get_bind().execute(sa.text("SELECT id FROM orders")).all()
            except Exception:
                rows = []
            op.add_column("orders", sa.Column("note", sa.Text()))
        ''')
    upgrade = _read(path).upgrade
    assert upgrade.complete and [c.name for c in upgrade.calls] == ["connection", "add_column"]
    assert [(s.line, s.needs_database) for s in upgrade.skipped] == [(11, False), (14, True)]
    stopped = _read(_revision(tmp_path, '''
        def upgrade():
            op.get_bind().execute(sa.text("SELECT 1")).scalar()
        ''')).upgrade
    assert stopped.stop is not None and stopped.skipped == []  # the stop says it, once
