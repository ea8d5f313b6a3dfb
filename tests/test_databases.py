"""Database URLs and drivers: the backend's async driver when a URL names none; a driver the
URL names kept when orchestrate can drive it, refused (exit 2, naming what to write) when not;
never silently replaced."""
from __future__ import annotations

import sys

import pytest
from support import orchestrate

from orchestrator.core.errors import ConfigError
from orchestrator.runtime.database import async_url, create_engine


@pytest.mark.parametrize(("given", "used"), [
    ("postgresql://u@h/app", "postgresql+asyncpg"),
    ("postgres://u@h/app", "postgresql+asyncpg"),
    ("postgresql+asyncpg://u@h/app", "postgresql+asyncpg"),
    ("postgresql+psycopg://u@h/app", "postgresql+psycopg"),  # psycopg 3 has an async mode
    ("sqlite:///app.db", "sqlite+aiosqlite"),
    ("mysql://root@h/app", "mysql+aiomysql"),
    ("mariadb://root@h/app", "mariadb+aiomysql"),
    ("mysql+asyncmy://root@h/app", "mysql+asyncmy"),
    ("mariadb+aiomysql://root@h/app", "mariadb+aiomysql"),
])
def test_a_url_gets_its_backends_async_driver_or_keeps_the_one_it_names(given, used):
    assert async_url(given, "--database-url").drivername == used


@pytest.mark.parametrize(("given", "suggested"), [
    ("postgresql+psycopg2://u:secret@h/app", "postgresql+asyncpg://"),
    ("postgresql+pg8000://u@h/app", "postgresql+asyncpg://"),
    ("mysql+pymysql://root:secret@h/app", "mysql+aiomysql://"),
    ("mysql+mysqldb://root@h/app", "mysql+aiomysql://"),
    ("mariadb+mariadbconnector://root@h/app", "mariadb+aiomysql://"),
    ("sqlite+pysqlite:///app.db", "sqlite+aiosqlite://"),
])
def test_a_driver_orchestrate_cannot_use_is_refused_never_replaced(given, suggested):
    with pytest.raises(ConfigError) as refused:
        async_url(given, "--database-url")
    message = refused.value.message
    assert f"names the driver {given.split('+')[1].split(':')[0]!r}" in message
    assert suggested in message and "secret" not in message


def test_a_named_async_driver_that_is_not_installed_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "aiomysql", None)  # import aiomysql now fails
    with pytest.raises(ConfigError) as refused:
        create_engine(async_url("mysql+aiomysql://root@h/app", "--database-url"))
    assert "its driver 'aiomysql' is not installed" in refused.value.message
    assert "aiomysql, asyncmy" in refused.value.message


def test_the_refusal_is_exit_2_without_a_traceback(example):
    result = orchestrate(example, "plan", url="postgresql+psycopg2://u:secret@127.0.0.1/app")
    assert result.exit_code == 2
    assert "names the driver 'psycopg2'" in result.stderr
    assert "Traceback" not in result.stderr and "secret" not in result.stderr


def test_an_unsupported_backend_names_the_supported_ones(example):
    result = orchestrate(example, "plan", url="oracle://scott:tiger@h/app")
    assert result.exit_code == 2
    assert "use postgresql, sqlite, mysql or mariadb" in result.stderr


SPELLINGS = '''
metadata = sa.MetaData(naming_convention={"ix": "ix_%(table_name)s_%(column_0_name)s",
                                          "fk": "fk_%(table_name)s_%(column_0_name)s"})
teams = sa.Table("teams", metadata, sa.Column("id", sa.Integer, primary_key=True))
members = sa.Table(
    "members", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id"), nullable=False),
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("teams.id"), nullable=True, index=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("joined", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Column("role", sa.String(16), nullable=False, server_default="member"),
    sa.Column("score", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rate", sa.Numeric(6, 2), nullable=False, server_default="1.50"),
    sa.Column("bio", sa.Text, nullable=True),
    sa.CheckConstraint("score >= 0", name="ck_members_score"),
)
'''


def test_generated_revisions_leave_no_false_changes_or_drift(tmp_path, db):
    """MariaDB's own foreign-key indexes, TINYINT(1) booleans and its spellings of server
    defaults and check conditions are no change and no drift, on every backend."""
    from model_workspace import ModelWorkspace

    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("crew", SPELLINGS)
    assert len(ws.generate("crew", db)) == 1
    ws.run("upgrade", db=db)
    code, report = ws.check(db)
    assert code == 0, report
    drift = ws.run("check", "--drift", "--json", db=db, code=None)
    assert drift.exit_code == 0, drift.stdout
    assert ws.generate("again", db) == []
    ws.models("crew", SPELLINGS.replace('server_default="member"', 'server_default="guest"'))
    code, report = ws.check(db)  # a real change is still one
    assert code == 1
