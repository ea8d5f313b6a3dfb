"""``orchestrate generate``: one revision per changed service, requires, refusals."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import alembic, edit, orchestrate, write

USER_GROUPS = '''"""The ``user_groups`` table."""
import sqlalchemy as sa

from services.users.models import metadata
from shared_db import TenantId

user_groups = sa.Table(
    "user_groups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", TenantId(), nullable=False),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
)
'''


def generate(root: Path, *args: str, url: str) -> dict:
    """The JSON result; exit 1 only when lint found an error in what was written."""
    outcome = orchestrate(root, "generate", *args, "--json", url=url)
    result = json.loads(outcome.stdout)
    lint_errors = any(f["severity"] == "error" for f in result["lint"])
    assert outcome.exit_code == (1 if lint_errors else 0), outcome.stderr
    return result


def operations(result: dict) -> dict[str, set[tuple]]:
    return {s["service"]: {(c["operation"], c["table"], c["object"]) for c in s["changes"]}
            for s in result["services"]}


def written(result: dict, service: str) -> dict | None:
    return next(s["written"] for s in result["services"] if s["service"] == service)


def orders_point_at_new_user_groups(root: Path) -> None:
    """users gets a new table, user_groups; orders a foreign key to it."""
    write(root / "services/users/models/groups.py", USER_GROUPS)
    edit(root / "services/orders/models/references.py", "#: Stub of the products",
         'user_groups = sa.Table("user_groups", metadata, '
         'sa.Column("id", sa.Integer, primary_key=True))\n\n#: Stub of the products')
    edit(root / "services/orders/models/orders.py", '    sa.Column("notes"',
         '    sa.Column("group_id", sa.Integer, sa.ForeignKey("user_groups.id"), nullable=True),\n'
         '    sa.Column("notes"')


def upgraded(root: Path, url: str) -> None:
    outcome = orchestrate(root, "upgrade", url=url)
    assert outcome.exit_code == 0, outcome.stderr


def test_each_change_lands_in_its_service_applies_and_is_gone_the_second_time(example, db):
    upgraded(example, db.url)
    models = example / "services"
    edit(models / "users/models/users.py", '    sa.Column("display_name"',
         '    sa.Column("nickname", sa.String(64), nullable=True),\n    sa.Column("display_name"')
    write(models / "users/models/groups.py", USER_GROUPS)
    edit(models / "products/models/products.py", '    sa.CheckConstraint("price >= 0"',
         '    sa.Index("ix_products_name", "name"),\n'
         '    sa.UniqueConstraint("tenant_id", "name"),\n    sa.CheckConstraint("price >= 0"')
    edit(models / "orders/models/orders.py", 'sa.Column("currency", sa.String(3)',
         'sa.Column("currency", sa.String(8)')
    edit(models / "orders/models/orders.py", 'sa.Column("notes", sa.Text, nullable=True)',
         'sa.Column("notes", sa.Text, nullable=False)')
    edit(models / "orders/models/orders.py", 'server_default="draft"', 'server_default="pending"')
    edit(models / "invoices/models/invoices.py",
         '    sa.Column("amount_paid", sa.Numeric(12, 2), nullable=True),\n', '')
    (models / "invoices/models/lines.py").unlink()

    result = generate(example, "-m", "many changes", url=db.url)

    found = operations(result)
    assert found["users"] == {("add_column", "users", "nickname"),
                              ("create_table", "user_groups", None)}
    assert found["products"] == {("create_index", "products", "ix_products_name"),
                                 ("create_unique_constraint", "products",
                                  "uq_products_tenant_id")}
    assert found["orders"] == {("alter_column", "orders", "currency"),
                               ("alter_column", "orders", "notes"),
                               ("alter_column", "orders", "status")}
    details = {c["object"]: c["detail"] for c in result["services"][1]["changes"]}
    assert "type" in details["currency"] and "nullable True -> False" in details["notes"]
    assert "'pending'" in details["status"]
    assert ("drop_column", "invoices", "amount_paid") in found["invoices"]
    assert ("drop_table", "invoice_lines", None) in found["invoices"]
    lint = {(f["code"], f["service"], f["object"]) for f in result["lint"]}
    assert ("DS102", "invoices", "column invoices.amount_paid") in lint
    assert ("DS101", "invoices", "table invoice_lines") in lint
    assert all(f["revision"] == written(result, f["service"])["revision"]
               for f in result["lint"])
    assert {table for _, table, _ in found["invoices"]} == {"invoices", "invoice_lines"}
    assert found["tenants"] == set() and written(result, "tenants") is None
    for service in ("users", "products", "orders", "invoices"):
        path = example / written(result, service)["path"]
        assert path.parent == example / "services" / service / "migrations" / "versions"
        assert path.name.startswith(written(result, service)["revision"])
    user_file = (example / written(result, "users")["path"]).read_text()
    assert "shared_db.types.TenantId()" in user_file and "import shared_db.types" in user_file

    upgraded(example, db.url)
    assert {"user_groups", "products"} <= set(db.tables()) and "invoice_lines" not in db.tables()
    assert "nickname" in db.columns("users") and "amount_paid" not in db.columns("invoices")
    assert operations(generate(example, "-m", "again", url=db.url)) == {
        name: set() for name in ("invoices", "orders", "products", "tenants", "users")}
    for service in ("users", "products", "orders", "invoices"):
        vanilla = alembic(example, service, "check", url=db.url)
        assert vanilla.returncode == 0, vanilla.stdout + vanilla.stderr
        assert "No new upgrade operations detected" in vanilla.stdout


def test_new_foreign_keys_require_the_revision_creating_their_table(example, db):
    upgraded(example, db.url)
    orders_point_at_new_user_groups(example)
    edit(example / "services/orders/models/orders.py", '    sa.Column("notes"',
         '    sa.Column("approved_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),\n'
         '    sa.Column("notes"')

    alone = orchestrate(example, "generate", "orders", "-m", "fk", url=db.url)
    assert alone.exit_code == 2
    assert "user_groups" in alone.stderr and "orchestrate generate users orders" in alone.stderr
    assert not list((example / "services/orders/migrations/versions").glob("*_fk.py"))

    result = generate(example, "-m", "groups", url=db.url)
    users_rev = written(result, "users")["revision"]
    requires = sorted(["users:3f2a9c1b0d4e", f"users:{users_rev}"])
    assert written(result, "orders")["requires"] == requires
    assert written(result, "users")["requires"] == []
    text = (example / written(result, "orders")["path"]).read_text()
    assert f"requires: list[str] = {requires!r}" in text

    plan = json.loads(orchestrate(example, "plan", "--json", url=db.url).stdout)
    order = [(s["service"], s["revision"]) for s in plan["steps"]]
    assert order.index(("users", users_rev)) < order.index(
        ("orders", written(result, "orders")["revision"]))
    upgraded(example, db.url)
    assert {"group_id", "approved_by"} <= set(db.columns("orders"))
    again = generate(example, "-m", "again", url=db.url)
    assert all(s["written"] is None for s in again["services"])


def test_a_foreign_key_cycle_between_services_is_refused(example, db):
    upgraded(example, db.url)
    edit(example / "services/users/models/users.py", '    sa.Column("display_name"',
         '    sa.Column("last_order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=True),\n'
         '    sa.Column("display_name"')
    write(example / "services/users/models/order_stub.py",
          'import sqlalchemy as sa\nfrom services.users.models import metadata\n'
          'orders = sa.Table("orders", metadata, sa.Column("id", sa.Integer, primary_key=True))\n')
    edit(example / "alembic.ini.d/users.ini", "models = services.users.models",
         "models = services.users.models\ntables = users, user_roles, api_keys")
    refused = orchestrate(example, "generate", "-m", "cycle", url=db.url)
    assert refused.exit_code == 2
    assert "cycle" in refused.stderr and "users.last_order_id -> orders.id" in refused.stderr
    assert not list(example.glob("services/*/migrations/versions/*_cycle.py"))


def test_a_hand_altered_database_is_refused_and_named(example, db):
    upgraded(example, db.url)
    db.execute("ALTER TABLE orders ADD COLUMN hand_made VARCHAR(10)")
    db.execute("CREATE INDEX ix_users_by_hand ON users (display_name)")
    refused = orchestrate(example, "generate", "-m", "x", url=db.url)
    assert refused.exit_code == 2
    assert "column orders.hand_made is in the database but no revision of orders" in refused.stderr
    assert "index ix_users_by_hand on 'users'" in refused.stderr
    assert "Traceback" not in refused.stderr
    audit = orchestrate(example, "check", "--drift", "--json", url=db.url)
    assert audit.exit_code == 1
    drift = {s["service"]: [(d["kind"], d["name"], d["state"]) for d in s["drift"]]
             for s in json.loads(audit.stdout)["services"]}
    assert drift["orders"] == [("column", "hand_made", "unexplained")]
    assert drift["users"] == [("index", "ix_users_by_hand", "unexplained")]
    assert drift["products"] == drift["tenants"] == drift["invoices"] == []


def test_generation_is_refused_when_the_database_is_not_at_head(example, db):
    refused = orchestrate(example, "generate", "-m", "x", url=db.url)
    assert refused.exit_code == 2
    assert "base (nothing applied)" in refused.stderr
    first, *services, fix = refused.stderr.splitlines()
    assert first == "error: refusing to generate: 5 services are not at their head"
    assert len(services) == 5 and all(line.startswith("  service '") for line in services)
    assert fix.startswith("  fix: `orchestrate upgrade invoices orders products tenants users`")
    assert max(len(line) for line in refused.stderr.splitlines()) < 150  # no 1,692-char line
    assert orchestrate(example, "check", url=db.url).exit_code == 2


def test_several_heads_are_refused_with_the_merge_command(example, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'heads.db'}"
    upgraded(example, url)
    versions = example / "services/tenants/migrations/versions"
    for rev in ("aaaa00000001", "bbbb00000002"):
        write(versions / f"{rev}_branch.py",
              f'"""branch"""\nrevision = "{rev}"\ndown_revision = "5c1e2a7f3b90"\n'
              "branch_labels = None\ndepends_on = None\n\n\n"
              "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n")
    from support import DatabaseHandle

    db = DatabaseHandle(url, "sqlite")
    db.execute("UPDATE alembic_version_tenants SET version_num = 'aaaa00000001'")
    db.execute("INSERT INTO alembic_version_tenants (version_num) VALUES ('bbbb00000002')")
    refused = orchestrate(example, "generate", "-m", "x", url=url)
    assert refused.exit_code == 2
    assert "service 'tenants' has 2 heads" in refused.stderr
    assert "orchestrate merge tenants" in refused.stderr


def test_allow_empty_writes_a_revision_that_applies(example, db):
    upgraded(example, db.url)
    result = generate(example, "tenants", "-m", "nothing yet", "--allow-empty", url=db.url)
    assert [s["service"] for s in result["services"]] == ["tenants"]
    revision = written(result, "tenants")["revision"]
    text = (example / written(result, "tenants")["path"]).read_text()
    assert "adjust! ###\n    pass\n" in text and "\n    op." not in text
    upgraded(example, db.url)
    assert db.version("tenants") == [revision]


def test_human_output_lists_files_and_operations(example, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'human.db'}"
    upgraded(example, url)
    edit(example / "services/tenants/models/tenants.py", '    sa.Column("name"',
         '    sa.Column("region", sa.String(16), nullable=True),\n    sa.Column("name"')
    outcome = orchestrate(example, "generate", "-m", "add region", url=url)
    assert outcome.exit_code == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    assert any(line.startswith("tenants") and "wrote services/tenants/migrations/versions/"
               in line and line.endswith("_add_region.py") for line in lines)
    assert "add_column tenants.region (String(length=16))" in outcome.stdout
    assert any(line.startswith("users") and "no changes" in line for line in lines)
    assert "1 revision(s) written" in outcome.stdout


@pytest.mark.parametrize("argv, message", [
    (["generate", "nosuch", "-m", "x"], "unknown service 'nosuch'"),
    (["generate"], "Missing option '-m'"),
])
def test_bad_input_is_a_clear_message(example, tmp_path, argv, message):
    outcome = orchestrate(example, *argv, url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert outcome.exit_code == 2
    assert message in outcome.stderr or message in outcome.stdout
    assert "Traceback" not in outcome.stderr


def test_a_template_without_requires_keeps_nothing_of_the_run(example, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'mako.db'}"
    upgraded(example, url)
    mako = example / "services/orders/migrations/script.py.mako"
    edit(mako, 'requires: list[str] = ${repr(list(requires)) if requires else "[]"}',
         "requires: list[str] = []")
    orders_point_at_new_user_groups(example)
    refused = orchestrate(example, "generate", "-m", "groups", url=url)
    assert refused.exit_code == 2
    assert "script.py.mako does not write `requires`" in refused.stderr
    assert not list(example.glob("services/*/migrations/versions/*_groups.py"))


def test_a_new_service_gets_its_first_revision(example, db):
    upgraded(example, db.url)
    ini = (example / "alembic.ini.d/tenants.ini").read_text().replace("tenants", "reviews")
    write(example / "alembic.ini.d/reviews.ini", ini)
    base = example / "services/reviews"
    write(base / "__init__.py", "")
    write(base / "models/__init__.py",
          "from shared_db import make_metadata\n\nmetadata = make_metadata()\n")
    write(base / "models/reviews.py", '''import sqlalchemy as sa

from services.products.models.products import products
from services.reviews.models import metadata

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("product_id", sa.Integer, sa.ForeignKey(products.c.id), nullable=False),
    sa.Column("stars", sa.SmallInteger, nullable=False, server_default="5"),
)
''')
    for name in ("env.py", "script.py.mako"):
        source = example / "services/tenants/migrations" / name
        write(base / "migrations" / name, source.read_text())
    (base / "migrations/versions").mkdir()

    result = generate(example, "reviews", "-m", "initial", url=db.url)
    first = written(result, "reviews")
    assert first["down_revision"] == [] and first["requires"] == ["products:8d41b6e0c7a2"]
    assert operations(result)["reviews"] == {("create_table", "reviews", None)}
    upgraded(example, db.url)
    assert db.version("reviews") == [first["revision"]] and "reviews" in db.tables()
    assert orchestrate(example, "check", url=db.url).exit_code == 0


def test_a_service_without_a_revision_template_is_told_where_it_belongs(example, db):
    upgraded(example, db.url)
    (example / "services/users/migrations/script.py.mako").unlink()
    edit(example / "services/users/models/users.py", '    sa.Column("display_name"',
         '    sa.Column("nickname", sa.String(64), nullable=True),\n    sa.Column("display_name"')
    before = sorted((example / "services/users/migrations/versions").iterdir())
    outcome = orchestrate(example, "generate", "-m", "nickname", url=db.url)
    assert outcome.exit_code == 2
    assert "service 'users' has no revision template" in outcome.stderr
    assert "services/users/migrations/script.py.mako" in outcome.stderr
    assert sorted((example / "services/users/migrations/versions").iterdir()) == before


def test_new_tables_referencing_each_other_get_the_second_key_once_both_exist(example, db):
    """Alembic writes every key inline in create_table; a key to a table created later in the
    same revision is moved after both (PostgreSQL would refuse the revision otherwise)."""
    upgraded(example, db.url)
    write(example / "services/users/models/crews.py",
          "import sqlalchemy as sa\n\nfrom services.users.models import metadata\n\n"
          "crews = sa.Table('crews', metadata, sa.Column('id', sa.Integer, primary_key=True),\n"
          "    sa.Column('captain_id', sa.Integer, sa.ForeignKey('crew_members.id')))\n"
          "crew_members = sa.Table('crew_members', metadata,\n"
          "    sa.Column('id', sa.Integer, primary_key=True),\n"
          "    sa.Column('crew_id', sa.Integer, sa.ForeignKey('crews.id')))\n")
    dialect = "postgresql"
    outcome = orchestrate(example, "generate", "users", "-m", "crews", "--dialect", dialect,
                          url=db.url)
    assert outcome.exit_code == 0, outcome.stdout + outcome.stderr
    (path,) = [p for p in (example / "services/users/migrations/versions").glob("*.py")
               if "crews" in p.read_text()]
    text = path.read_text()
    assert text.count("op.create_foreign_key(") == 1
    assert text.index("op.create_foreign_key(") > text.rindex("op.create_table(")
    if db.backend == "postgresql":
        assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
        assert orchestrate(example, "plan", url=db.url).exit_code == 0


#: fleets <-> ships reference each other (CTFd's users and teams do).
CHAIN = ("import sqlalchemy as sa\n\nfrom services.users.models import metadata\n\n"
         "fleets = sa.Table('fleets', metadata, sa.Column('id', sa.Integer, primary_key=True),\n"
         "    sa.Column('flagship_id', sa.Integer, sa.ForeignKey('ships.id')))\n"
         + "".join(f"{child} = sa.Table('{child}', metadata,\n"
                   "    sa.Column('id', sa.Integer, primary_key=True),\n"
                   f"    sa.Column('parent_id', sa.Integer, sa.ForeignKey('{parent}.id')))\n"
                   for parent, child in (("fleets", "ships"), ("ships", "decks"),
                                         ("decks", "cabins"))))


def test_dropped_tables_go_referencing_ones_first_and_come_back_in_reverse(example, db):
    """Alembic lists dropped tables in no particular order; PostgreSQL refuses to drop a
    table another one still references. Keys of a cycle are dropped first (not on SQLite)."""
    upgraded(example, db.url)
    write(example / "services/users/models/fleets.py", CHAIN)
    created = orchestrate(example, "generate", "users", "-m", "fleets", url=db.url)
    assert created.exit_code in (0, 1) and "_fleets.py" in created.stdout  # 1: lint (SQLite)
    upgraded(example, db.url)
    (example / "services/users/models/fleets.py").unlink()
    outcome = orchestrate(example, "generate", "users", "-m", "no fleets", url=db.url)
    assert outcome.exit_code in (0, 1), outcome.stderr  # 1: lint flags the drops
    (path,) = (example / "services/users/migrations/versions").glob("*_no_fleets.py")
    upgrade, downgrade = path.read_text().split("def downgrade")
    drops = [upgrade.index(f"op.drop_table('{t}')") for t in ("cabins", "decks", "ships",
                                                             "fleets")]
    creates = [downgrade.index(f"op.create_table('{t}'") for t in ("fleets", "ships", "decks",
                                                                  "cabins")]
    # fleets and ships reference each other: together, last to go and first back
    assert drops[0] < drops[1] < min(drops[2:]) and max(creates[:2]) < creates[2] < creates[3]
    if db.backend == "postgresql":
        assert upgrade.count("op.drop_constraint(") == 2
        assert upgrade.index("op.drop_constraint(") < min(drops)
        assert downgrade.count("op.create_foreign_key(") == 2
        assert downgrade.index("op.create_foreign_key(") > max(creates)
    upgraded(example, db.url)
    assert not {"fleets", "ships", "decks", "cabins"} & set(db.tables())
    assert orchestrate(example, "downgrade", "users@-1", url=db.url).exit_code == 0
    assert {"fleets", "ships", "decks", "cabins"} <= set(db.tables())
