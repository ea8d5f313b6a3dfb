"""The env runner as tools drive it: the caller's connection, ``sqlalchemy.url``, ``-x``."""
from __future__ import annotations

import anyio
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from support import alembic, orchestrate, write

#: A users revision that records what Alembic's config and ``-x`` told it, in a table.
READS_CONFIG = '''"""reads its config"""
from alembic import context, op
import sqlalchemy as sa
from sqlalchemy.engine import make_url

revision = "c0nf1g000001"
down_revision = "3f2a9c1b0d4e"


def upgrade():
    url = context.config.get_main_option("sqlalchemy.url")
    table = op.create_table("seen", sa.Column("what", sa.String(40), primary_key=True),
                            sa.Column("value", sa.String(200)))
    if context.is_offline_mode():
        return
    op.bulk_insert(table, [
        {"what": "database", "value": make_url(url).database.rsplit("/", 1)[-1]},
        {"what": "driver", "value": make_url(url).drivername},
        {"what": "tenant", "value": context.get_x_argument(as_dictionary=True).get("tenant")},
    ])


def downgrade():
    op.drop_table("seen")
'''


def _config(root, service: str, connection) -> Config:
    config = Config(str(root / "alembic.ini.d" / f"{service}.ini"))
    config.attributes["connection"] = connection
    return config


def test_the_callers_connection_is_migrated_not_the_configured_database(example, db,
                                                                        monkeypatch):
    """A tool handing Alembic its connection (pytest-alembic, an application at start-up) gets
    its database migrated; the embedded database under .orchestrate/ is never created."""
    monkeypatch.chdir(example)
    monkeypatch.delenv("ORCHESTRATE_DATABASE_URL", raising=False)
    if db.backend == "sqlite":  # a sync engine, and a sync connection the caller commits
        engine = create_engine(make_url(db.url).set(drivername="sqlite"))
        command.upgrade(_config(example, "tenants", engine), "head")
        with engine.connect() as connection:
            command.upgrade(_config(example, "users", connection), "head")
            connection.commit()
        engine.dispose()
    else:  # an async engine (as pytest-alembic hands it), then an async connection
        command.upgrade(_config(example, "tenants", create_async_engine(
            db.url, poolclass=NullPool)), "head")

        async def migrate() -> None:
            engine = create_async_engine(db.url, poolclass=NullPool)
            async with engine.connect() as connection:
                await connection.run_sync(
                    lambda _sync: command.upgrade(_config(example, "users", connection), "head"))
                await connection.commit()
            await engine.dispose()

        anyio.run(migrate)
    assert db.version("tenants") == ["5c1e2a7f3b90"]
    assert db.version("users") == ["3f2a9c1b0d4e"]
    assert "orchestrate_lock" not in db.tables()  # the caller's connection: no lock of ours
    assert not (example / ".orchestrate" / "orchestrate.db").exists()


def test_something_else_handed_as_connection_is_refused_by_name(example):
    config = _config(example, "users", "sqlite:///x.db")
    try:
        command.upgrade(config, "head")
    except Exception as error:  # Alembic's CommandError
        assert "config.attributes['connection'] is a str" in str(error)
    else:
        raise AssertionError("a string as the connection was accepted")


def test_revisions_read_sqlalchemy_url_and_x_arguments_redacted_in_output(example, db):
    write(example / "services/users/migrations/versions/c0nf1g000001_reads_config.py",
          READS_CONFIG)
    url = make_url(db.url)
    if db.backend == "postgresql":  # trust authentication: any password is accepted
        url = url.set(password="s3cr%t")
    secret_url = url.render_as_string(hide_password=False)
    name = url.database.rsplit("/", 1)[-1]
    assert alembic(example, "tenants", "upgrade", "head", url=secret_url).returncode == 0
    vanilla = alembic(example, "users", "-x", "tenant=acme", "upgrade", "head", url=secret_url)
    assert vanilla.returncode == 0, vanilla.stderr
    assert dict(zip(db.scalar_rows("SELECT what FROM seen ORDER BY what"),
                    db.scalar_rows("SELECT value FROM seen ORDER BY what"), strict=True)) == {
        "database": name, "driver": url.get_backend_name(), "tenant": "acme"}
    assert "s3cr" not in vanilla.stdout + vanilla.stderr

    # orchestrate's own runs hand revisions the same URL (no -x: the tenant is None)
    assert alembic(example, "users", "downgrade", "3f2a9c1b0d4e", url=secret_url).returncode == 0
    result = orchestrate(example, "upgrade", "users", url=secret_url)
    assert result.exit_code == 0, result.stderr
    assert db.scalar_rows("SELECT value FROM seen WHERE what = 'database'") == [name]
    assert "s3cr" not in result.stdout + result.stderr
