"""Hostile and broken input is refused when the workspace loads (exit 2, the place named,
nothing touched), and nothing a workspace declares is ever spliced into SQL."""
from __future__ import annotations

import os
import pathlib

import pytest
from support import alembic, edit, orchestrate, run_script, write, write_revision

USERS_HEAD = "3f2a9c1b0d4e"
HOSTILE_IDS = ["rel' || current_user || '", "x'; DROP TABLE users; --", 'a"b', "a b", "a;b",
               "a/b", "a\\b"]


def nothing_touched(db) -> None:
    assert not [t for t in db.tables() if t.startswith(("orchestrate_", "alembic_version"))]
    assert "users" not in db.tables()


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_a_revision_id_that_could_reach_sql_is_refused_at_load(example, db, hostile):
    path = write_revision(example, "users", "0badid", USERS_HEAD, "pass")
    edit(path, "revision = '0badid'", f"revision = {hostile!r}")
    commands = [("upgrade",)]
    if hostile == HOSTILE_IDS[0]:  # every way in, once
        commands += [("plan",), ("plan", "--sql"), ("upgrade", "--sql"), ("history",)]
        vanilla = alembic(example, "users", "upgrade", "head", url=db.url)
        assert vanilla.returncode != 0 and str(path) in vanilla.stderr
    for command in commands:
        outcome = orchestrate(example, *command, url=db.url)
        assert outcome.exit_code == 2, (command, outcome.stderr)
        assert str(path) in outcome.stderr and "revision id" in outcome.stderr
        assert "DROP" not in outcome.stdout
    nothing_touched(db)


def test_a_revision_id_wider_than_version_num_is_refused(example, db):
    long_id = "a" * 33
    path = write_revision(example, "users", long_id, USERS_HEAD, "pass")
    outcome = orchestrate(example, "upgrade", url=db.url)
    assert outcome.exit_code == 2
    assert str(path) in outcome.stderr and "33 characters" in outcome.stderr
    assert "version_num" in outcome.stderr
    nothing_touched(db)
    write_revision(example, "users", "a" * 32, USERS_HEAD, "pass").rename(path)
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    assert db.version("users") == ["a" * 32]


def test_hostile_names_in_offline_sql_inject_nothing(example, db):
    """A table name and a message written to break out of their quotes are quoted in --sql,
    and the script a DBA would run leaves every table of the release standing."""
    hostile_table = 'audit"; DROP TABLE users; --'
    write_revision(example, "users", "b0b0b0b0b0b0", USERS_HEAD,
                   f"audit = op.create_table({hostile_table!r},"
                   " sa.Column('id', sa.Integer(), primary_key=True),"
                   " sa.Column('note', sa.String(64)))\n"
                   "op.bulk_insert(audit, [{'id': 1, 'note': \"o'; DROP TABLE users; --\"}])",
                   message="x'; DROP TABLE users; --\nDROP TABLE users;")
    write(example / "trains" / "spring.toml", '[targets]\nusers = "head"\n')
    for command in (("upgrade", "--sql"), ("plan", "--sql"), ("train", "run", "spring", "--sql")):
        outcome = orchestrate(example, *command, url=db.url)
        assert outcome.exit_code in (0, 1), (command, outcome.stderr)
        assert "\nDROP TABLE users" not in outcome.stdout
    script = orchestrate(example, "upgrade", "--sql", url=db.url).stdout
    run_script(db, script)
    assert "users" in db.tables() and hostile_table in db.tables()
    quoted = ('`audit"; DROP TABLE users; --`' if db.backend == "mariadb"
              else '"audit""; DROP TABLE users; --"')
    assert db.scalar_rows(f"SELECT note FROM {quoted}") == ["o'; DROP TABLE users; --"]
    assert db.version("users") == ["b0b0b0b0b0b0"]


@pytest.mark.parametrize("version_table", ['v"; DROP TABLE users; --', "users-versions",
                                           "1versions", "a b"])
def test_a_version_table_that_is_no_identifier_is_refused(example, db, version_table):
    ini = edit(example / "alembic.ini.d/users.ini", "depends_on = tenants",
               f"depends_on = tenants\nversion_table = {version_table}")
    outcome = orchestrate(example, "upgrade", url=db.url)
    assert outcome.exit_code == 2
    assert str(ini) in outcome.stderr and "version_table" in outcome.stderr
    nothing_touched(db)


def test_a_version_table_that_is_a_service_table_is_refused_before_anything(example, db):
    ini = edit(example / "alembic.ini.d/orders.ini", "tables = orders, order_lines",
               "tables = orders, order_lines\nversion_table = users")
    for command in (("upgrade",), ("train", "run", "spring"), ("plan",)):
        write(example / "trains" / "spring.toml", '[targets]\norders = "head"\n')
        outcome = orchestrate(example, *command, url=db.url)
        assert outcome.exit_code == 2, (command, outcome.stderr)
        assert str(ini) in outcome.stderr and "version_table = 'users'" in outcome.stderr
        assert "service 'users'" in outcome.stderr
    nothing_touched(db)


def test_two_services_sharing_a_version_table_are_refused(example, db):
    edit(example / "alembic.ini.d/users.ini", "depends_on = tenants",
         "depends_on = tenants\nversion_table = alembic_version_orders")
    outcome = orchestrate(example, "upgrade", url=db.url)
    assert outcome.exit_code == 2
    assert "'orders'" in outcome.stderr and "'users'" in outcome.stderr
    assert "alembic_version_orders" in outcome.stderr
    nothing_touched(db)


def test_a_version_table_name_too_long_for_the_database(example, db):
    name = "v" * 64
    ini = edit(example / "alembic.ini.d/users.ini", "depends_on = tenants",
               f"depends_on = tenants\nversion_table = {name}")
    outcome = orchestrate(example, "upgrade", url=db.url)
    if db.backend != "sqlite":
        limit = {"postgresql": 63, "mariadb": 60}[db.backend]  # MariaDB: room for "_pkc"
        assert outcome.exit_code == 2
        assert str(ini) in outcome.stderr and "64 bytes" in outcome.stderr
        assert f"hold {limit}" in outcome.stderr
        nothing_touched(db)
    else:  # SQLite keeps long names
        assert outcome.exit_code == 0, outcome.stderr
        assert name in db.tables()


def test_an_ownership_overlap_stops_upgrade_and_trains_before_the_lock(example, db):
    write(example / "services/products/models/stolen.py",
          "import sqlalchemy as sa\nfrom services.products.models import metadata\n\n"
          "users = sa.Table('users', metadata, sa.Column('id', sa.Integer, primary_key=True))\n")
    write(example / "trains" / "spring.toml", '[targets]\nusers = "head"\n')
    for command in (("upgrade",), ("downgrade", "users@base"), ("train", "run", "spring"),
                    ("train", "run", "spring", "--sql"), ("upgrade", "--sql")):
        outcome = orchestrate(example, *command, url=db.url)
        assert outcome.exit_code == 2, (command, outcome.stderr)
        assert "'users' is claimed by service" in outcome.stderr
        assert "lock" not in outcome.stderr
    nothing_touched(db)
    if db.backend == "sqlite":
        assert not list(pathlib.Path(db.url.split("///", 1)[1]).parent.glob("*.train-lock"))


def test_services_dir_outside_the_workspace(example, tmp_path):
    edit(example / "pyproject.toml", 'services_dir = "services"', 'services_dir = "../elsewhere"')
    outcome = orchestrate(example, "plan")
    assert outcome.exit_code == 2
    assert str(example / "pyproject.toml") in outcome.stderr
    assert "services_dir = '../elsewhere' is outside the workspace" in outcome.stderr


def test_an_unreadable_pyproject(example, monkeypatch):
    pyproject = example / "pyproject.toml"
    real_open = pathlib.Path.open

    def refuse(self, *args, **kwargs):  # the tests may run as root, who reads anything
        if self == pyproject:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", refuse)
    outcome = orchestrate(example, "plan")
    assert outcome.exit_code == 2
    assert f"{pyproject}: cannot be read: Permission denied" in outcome.stderr


@pytest.mark.parametrize("mode", ["read", "write"])
def test_a_versions_folder_without_permission(example, db, monkeypatch, mode):
    versions = example / "services/users/migrations/versions"
    real_access = os.access

    def access(path, wanted, *args, **kwargs):  # as the OS answers a user without the right
        refused = os.R_OK if mode == "read" else os.W_OK
        if pathlib.Path(path) == versions and wanted & refused:
            return False
        return real_access(path, wanted, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    if mode == "read":
        outcome = orchestrate(example, "plan", url=db.url)
        assert outcome.exit_code == 2
        assert f"{versions} cannot be read" in outcome.stderr
    else:
        assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
        before = sorted(versions.iterdir())
        outcome = orchestrate(example, "generate", "users", "-m", "x", "--allow-empty",
                              url=db.url)
        assert outcome.exit_code == 2
        assert f"{versions} is not writable" in outcome.stderr
        assert sorted(versions.iterdir()) == before
