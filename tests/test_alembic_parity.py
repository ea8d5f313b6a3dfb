"""orchestrate runs a service's revisions as `alembic upgrade head` runs them, on both backends.

Plain Alembic applies a whole upgrade in one migration context, and SQLAlchemy remembers in it
which named types (PostgreSQL ENUMs) it already created or dropped: a history whose second
revision creates another table with the same ``sa.Enum(name=...)`` works under Alembic, and must
under orchestrate, whose steps interleave services and get a context each.
"""
from __future__ import annotations

import pytest
from support import alembic, orchestrate, write_revision

PRODUCTS = "8d41b6e0c7a2"


def table_with_kind(table: str) -> str:
    return (f"op.create_table({table!r}, sa.Column('id', sa.Integer(), primary_key=True),\n"
            "    sa.Column('kind', sa.Enum('plain', 'bundle', name='product_kind')))")


@pytest.fixture
def two_tables_one_enum(example):
    write_revision(example, "products", "p2a000000001", PRODUCTS, table_with_kind("kits"),
                   downgrade="op.drop_table('kits')\n"
                             "sa.Enum(name='product_kind').drop(op.get_bind(), checkfirst=True)")
    write_revision(example, "products", "p3a000000002", "p2a000000001",
                   table_with_kind("bundles"), downgrade="op.drop_table('bundles')")
    return example


def test_a_named_type_shared_by_two_revisions_upgrades_and_downgrades(two_tables_one_enum, db):
    root = two_tables_one_enum
    upgraded = orchestrate(root, "upgrade", url=db.url)
    assert upgraded.exit_code == 0, upgraded.stderr
    assert {"kits", "bundles"} <= set(db.tables())
    assert db.version("products") == ["p3a000000002"]
    if db.backend == "postgresql":
        assert db.scalar_rows("SELECT typname FROM pg_type WHERE typname = 'product_kind'") == [
            "product_kind"]

    downgraded = orchestrate(root, "downgrade", f"products@{PRODUCTS}", url=db.url)
    assert downgraded.exit_code == 0, downgraded.stderr
    assert not {"kits", "bundles"} & set(db.tables())
    if db.backend == "postgresql":
        assert db.scalar_rows("SELECT typname FROM pg_type WHERE typname = 'product_kind'") == []
    again = orchestrate(root, "upgrade", url=db.url)
    assert again.exit_code == 0, again.stderr


def test_plain_alembic_agrees(two_tables_one_enum, db):
    root = two_tables_one_enum
    for service in ("tenants", "products"):
        done = alembic(root, service, "upgrade", "head", url=db.url)
        assert done.returncode == 0, done.stderr
    assert db.version("products") == ["p3a000000002"]


def test_the_offline_script_declares_the_type_once(two_tables_one_enum):
    # offline: no connection is made, the URL only names the dialect
    script = orchestrate(two_tables_one_enum, "upgrade", "--sql",
                         url="postgresql://postgres@127.0.0.1:5432/offline_only")
    assert script.exit_code == 0, script.stderr
    assert script.stdout.count("CREATE TYPE product_kind") == 1
