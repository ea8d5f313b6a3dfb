"""End to end, as docs/adopting.md tells it: a project migrated by plain Alembic with one
shared history (one branch per service, one ``alembic_version``) and three services' worth of
tables, split into an orchestrate workspace; on SQLite and PostgreSQL.

1. Its revision files move to their services (cross-service ``depends_on`` become
   ``requires``): plan flags the legacy table -> adopt -> plan clean -> generate writes
   nothing -> a new revision upgrades, and vanilla Alembic agrees per service.
2. Its history archived instead: generate --baseline stamps every service on the existing
   schema, adopt retires the legacy table, plan is clean.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support import alembic, edit, orchestrate, write

LEGACY_ENV = '''\
import asyncio, os
from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine
from app.models import metadata


def run(connection):
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


async def main():
    engine = create_async_engine(os.environ["LEGACY_URL"])
    async with engine.connect() as connection:
        await connection.run_sync(run)
    await engine.dispose()


asyncio.run(main())
'''

NAMING = ('{"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s", '
          '"ck": "ck_%(table_name)s_%(constraint_name)s", '
          '"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", '
          '"pk": "pk_%(table_name)s"}')

#: Each service's tables, as one models module (the legacy project has them all in one).
MODELS = {
    "accounts": '''
users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(200), nullable=False, index=True),
    sa.Column("verified", sa.Boolean, nullable=True),
)
''',
    "catalog": '''
products = sa.Table(
    "products", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
)
''',
    "billing": '''
# stubs of the other services' tables, for the foreign keys (billing owns: tables = invoices)
sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))
sa.Table("products", metadata, sa.Column("id", sa.Integer, primary_key=True))
invoices = sa.Table(
    "invoices", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False),
)
''',
}

#: The shared history: (service, revision, down_revision, depends_on, upgrade body).
HISTORY = [
    ("accounts", "acc000000001", None, (), '''
op.create_table("users",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("email", sa.String(200), nullable=False),
    sa.PrimaryKeyConstraint("id", name="pk_users"))
op.create_index("ix_users_email", "users", ["email"])'''),
    ("catalog", "cat000000001", None, (), '''
op.create_table("products",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.PrimaryKeyConstraint("id", name="pk_products"))'''),
    ("billing", "bil000000001", None, ("acc000000001", "cat000000001"), '''
op.create_table("invoices",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("product_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_invoices_user_id_users"),
    sa.ForeignKeyConstraint(["product_id"], ["products.id"],
                            name="fk_invoices_product_id_products"),
    sa.PrimaryKeyConstraint("id", name="pk_invoices"))'''),
    ("accounts", "acc000000002", "acc000000001", (), '''
op.add_column("users", sa.Column("verified", sa.Boolean(), nullable=True))'''),
]


def revision_file(service: str, rev: str, down: str | None, depends: tuple[str, ...],
                  body: str, *, split: bool) -> str:
    """A revision as the legacy project has it (a branch label per service, ``depends_on``
    across branches) or, ``split``, as moved to its service (``requires`` instead)."""
    owner = {r: s for s, r, *_ in HISTORY}
    links = (f"depends_on = None\nrequires = {[f'{owner[d]}:{d}' for d in depends]!r}\n"
             if split else f"depends_on = {depends or None!r}\n")
    label = (service,) if down is None and not split else None
    indented = "\n".join("    " + line for line in body.strip().splitlines())
    return (f'"""{service} {rev}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
            f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = {label!r}\n"
            f"{links}\n\ndef upgrade():\n{indented}\n\n\ndef downgrade():\n    pass\n")


def legacy_project(folder: Path, url: str) -> None:
    """The project before orchestrate: one models module, one history, `alembic upgrade
    heads` run by plain Alembic."""
    write(folder / "app/__init__.py", "")
    write(folder / "app/models.py", f"import sqlalchemy as sa\n\nmetadata = sa.MetaData("
          f"naming_convention={NAMING})\n" + MODELS["accounts"] + MODELS["catalog"]
          + "invoices = " + MODELS["billing"].split("invoices = ", 1)[1])  # one MetaData: no stubs
    write(folder / "alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\n"
          "prepend_sys_path = %(here)s\n")
    write(folder / "migrations/env.py", LEGACY_ENV)
    for service, rev, down, depends, body in HISTORY:
        write(folder / f"migrations/versions/{rev}.py",
              revision_file(service, rev, down, depends, body, split=False))
    done = subprocess.run([sys.executable, "-m", "alembic", "-c", "alembic.ini",
                           "upgrade", "heads"], cwd=folder, capture_output=True, text=True,
                          env={**os.environ, "LEGACY_URL": url, "PYTHONDONTWRITEBYTECODE": "1"},
                          timeout=120)
    assert done.returncode == 0, done.stderr


def workspace(root: Path, *, history: bool) -> None:
    """The same code as an orchestrate workspace: init, new-service x3, each service's models
    and (``history``) its revision files."""
    assert orchestrate(root, "init", str(root)).exit_code == 0
    for service, models in MODELS.items():
        assert orchestrate(root, "new-service", service).exit_code == 0
        write(root / f"services/{service}/models/tables.py",
              f"import sqlalchemy as sa\n\nfrom services.{service}.models import metadata\n"
              + models)
    edit(root / "alembic.ini.d/billing.ini", "models = services.billing.models\n",
         "models = services.billing.models\ntables = invoices\n")
    if history:
        for service, rev, down, depends, body in HISTORY:
            write(root / f"services/{service}/migrations/versions/{rev}.py",
                  revision_file(service, rev, down, depends, body, split=True))


def run_json(root: Path, *args: str, url: str) -> tuple[int, dict]:
    outcome = orchestrate(root, *args, "--json", url=url)
    return outcome.exit_code, json.loads(outcome.stdout)


def assert_flagged_then_adopted(root: Path, url: str) -> dict:
    code, plan = run_json(root, "plan", url=url)
    assert code == 1, plan
    assert [f["code"] for f in plan["findings"]] == ["legacy-version-table"]
    code, adopted = run_json(root, "adopt", url=url)
    assert code == 0 and adopted["verdict"] == "adopted", adopted
    code, plan = run_json(root, "plan", url=url)
    assert code == 0 and plan["verdict"] == "clean", plan["errors"] or plan
    assert {s["status"] for s in plan["services"]} == {"up-to-date"}
    return adopted


def test_a_shared_history_split_into_services_is_adopted(tmp_path, db):
    legacy_project(tmp_path / "legacy", db.url)
    # plain Alembic keeps no row for cat000000001: billing's revision depends_on it
    assert sorted(db.scalar_rows("SELECT version_num FROM alembic_version")) == [
        "acc000000002", "bil000000001"]
    root = tmp_path / "mono"
    workspace(root, history=True)
    adopted = assert_flagged_then_adopted(root, db.url)
    assert {a["service"]: a["revisions"] for a in adopted["assignments"]} == {
        "accounts": ["acc000000002"], "billing": ["bil000000001"], "catalog": ["cat000000001"]}
    assert "orchestrate_adopted_alembic_version" in db.tables()

    code, generated = run_json(root, "generate", "-m", "nothing", url=db.url)
    assert code == 0 and generated["verdict"] == "no-changes", generated
    assert len(list(root.glob("services/*/migrations/versions/*.py"))) == len(HISTORY)

    edit(root / "services/catalog/models/tables.py",
         '    sa.Column("name", sa.String(100), nullable=False),\n',
         '    sa.Column("name", sa.String(100), nullable=False),\n'
         '    sa.Column("price", sa.Integer, nullable=True),\n')
    code, generated = run_json(root, "generate", "-m", "price", url=db.url)
    (written,) = [s["written"] for s in generated["services"] if s["written"]]
    assert code == 0 and written["down_revision"] == ["cat000000001"]
    assert orchestrate(root, "upgrade", url=db.url).exit_code == 0
    assert "price" in db.columns("products")
    assert orchestrate(root, "plan", url=db.url).exit_code == 0
    current = alembic(root, "accounts", "current", url=db.url)
    assert current.returncode == 0 and "acc000000002 (head)" in current.stdout, current.stderr


def test_an_archived_history_is_baselined_and_the_legacy_table_retired(tmp_path, db):
    legacy_project(tmp_path / "legacy", db.url)
    root = tmp_path / "mono"
    workspace(root, history=False)
    code, baseline = run_json(root, "generate", "--baseline", url=db.url)
    assert code == 0 and sorted(baseline["stamped"]) == ["accounts", "billing", "catalog"]
    code, dry = run_json(root, "adopt", "--dry-run", url=db.url)
    assert code == 0 and dry["assignments"] == [], dry  # nothing maps: only retired
    adopted = assert_flagged_then_adopted(root, db.url)
    assert adopted["legacy_tables"][0]["kept_as"] == "orchestrate_adopted_alembic_version"
    code, generated = run_json(root, "generate", "-m", "nothing", url=db.url)
    assert code == 0 and generated["verdict"] == "no-changes", generated
