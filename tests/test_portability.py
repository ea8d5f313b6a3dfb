"""A revision generated against one backend applies on the other, for the portable types.

Booleans with ``sa.false()``/``sa.true()`` defaults, ``now()``, a JSON column with a JSONB
variant, an empty-string default: generated on SQLite it upgrades and downgrades on
PostgreSQL, and the reverse; every name the file uses is imported; a second comparison on
the generating backend finds nothing (no permanent false positive).
"""
from __future__ import annotations

import pytest
from model_workspace import ModelWorkspace, postgres, sqlite  # noqa: F401  (a fixture)

MODELS = '''
metadata = sa.MetaData()

sa.Table(
    "accounts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("verified", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("touched_at", sa.DateTime, server_default=sa.func.current_timestamp()),
    sa.Column("profile", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    sa.Column("nickname", sa.String(32), nullable=False, server_default=""),
    sa.Column("plan", sa.String(16), nullable=False, server_default="free"),
)
'''
CHANGED = MODELS.replace('server_default="free"),', 'server_default="free"),\n'
                         '    sa.Column("muted", sa.Boolean, server_default=sa.false()),').replace(
    '    sa.Column("verified", sa.Boolean, nullable=False, server_default=sa.true()),\n', '')


@pytest.mark.postgres
@pytest.mark.parametrize("direction", ["sqlite->postgresql", "postgresql->sqlite"])
def test_a_revision_generated_on_one_backend_applies_on_the_other(tmp_path, postgres,
                                                                  direction):
    source, target = ((sqlite(tmp_path, "dev.db"), postgres)
                      if direction.startswith("sqlite") else (postgres, sqlite(tmp_path, "t.db")))
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("accounts", MODELS)
    [first] = ws.generate("accounts", source)
    text = first.read_text()
    assert "sa.false()" in text and "sa.true()" in text and "sa.func.now()" in text
    assert "sa.text('0')" not in text and "sa.text('false')" not in text
    assert "from sqlalchemy.dialects import postgresql" in text
    assert "astext_type=sa.Text()" in text or "postgresql.JSONB()" in text
    ws.run("upgrade", db=source)
    assert ws.generate("again", source) == []
    assert ws.check(source)[0] == 0

    ws.models("accounts", CHANGED)
    [second] = ws.generate("muted", source)
    downgrade = second.read_text().partition("def downgrade")[2]
    assert "'verified'" in downgrade and "server_default=sa.true()" in downgrade
    ws.run("upgrade", db=source)
    assert ws.generate("again", source) == []

    for db in (target,):
        ws.run("upgrade", db=db)
        assert ws.check(db)[0] == 0, ws.check(db)[1]
        ws.run("downgrade", "accounts@base", db=db)
        ws.run("upgrade", db=db)
    assert second.exists()


def test_an_empty_string_default_is_no_change_the_second_time(tmp_path):
    db = sqlite(tmp_path, "empty.db")
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("accounts", MODELS)
    ws.generate("accounts", db)
    ws.run("upgrade", db=db)
    code, report = ws.check(db)
    assert code == 0, report


@pytest.mark.postgres
def test_generate_dialect_renders_for_the_production_target(tmp_path, postgres):
    dev = sqlite(tmp_path, "dev.db")
    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("accounts", MODELS)
    ws.generate("accounts", dev)
    ws.run("upgrade", db=dev)
    ws.models("accounts", CHANGED)
    [second] = ws.generate("muted", dev, "--dialect", "postgresql")
    text = second.read_text()
    assert "batch_alter_table" not in text and "op.add_column('accounts'" in text
    ws.run("upgrade", db=dev)
    ws.run("upgrade", db=postgres)
    assert "muted" in postgres.columns("accounts")
    assert ws.check(postgres)[0] == 0
    ws.run("downgrade", "accounts@base", db=postgres)

    unknown = ws.run("generate", "-m", "x", "--dialect", "oracle", db=dev, code=2)
    assert "oracle" in unknown.stderr and "Traceback" not in unknown.stderr
