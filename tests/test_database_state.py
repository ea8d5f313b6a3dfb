"""What the database is, told truthfully: "does not exist" only from the driver's own error
code (or a SQLite file that is not there, which reading never creates); a wrong role, password
or host is exit 3 naming the URL with its password hidden."""
from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from support import example_plan_exit, orchestrate

from orchestrator.runtime.database import database_missing


def plan(root: Path, url: str) -> tuple[int, dict]:
    outcome = orchestrate(root, "plan", "--json", url=url)
    return outcome.exit_code, json.loads(outcome.stdout)


def assert_unreachable(root: Path, url: str, says: str) -> str:
    """Exit 3 in JSON and in text, the driver's words, never the password nor "not created"."""
    code, document = plan(root, url)
    assert code == 3 and document["verdict"] == "error", document
    (error,) = document["errors"]
    assert says in error["message"] and "secret" not in error["message"], error
    assert "***" in error["message"] or "@" not in url
    text = orchestrate(root, "plan", url=url)
    assert text.exit_code == 3 and "not created yet" not in text.stdout + text.stderr
    assert "secret" not in text.stdout + text.stderr
    return error["message"]


def test_a_missing_database_plans_from_base_and_is_not_created(example, db, tmp_path):
    if db.backend == "sqlite":
        missing = f"sqlite+aiosqlite:///{tmp_path / 'absent' / 'never.db'}"
    else:
        missing = str(make_url(db.url).set(database="orch_never_created_13"))
    code, document = plan(example, missing)
    assert code == example_plan_exit(db.backend) and document["database"]["exists"] is False
    assert {s["status"] for s in document["services"]} == {"pending"}
    for command in (("services",), ("history",), ("plan",), ("plan", "--sql")):
        expected = example_plan_exit(db.backend) if command[0] == "plan" else 0
        assert orchestrate(example, *command, url=missing).exit_code == expected, command
    assert not (tmp_path / "absent").exists()


def test_a_role_that_does_not_exist_is_exit_3(example, db):
    if db.backend == "sqlite":
        pytest.skip("SQLite has no roles")
    url = make_url(db.url).set(username="nobody", password="secret")
    message = assert_unreachable(example, url.render_as_string(hide_password=False),
                                 "Access denied for user 'nobody'" if db.backend == "mariadb"
                                 else 'role "nobody" does not exist')
    assert "nobody:***@" in message


def test_a_wrong_host_is_exit_3(example, db):
    if db.backend == "sqlite":
        pytest.skip("SQLite has no host")
    for host, port in (("127.0.0.1", 1), ("no-such-host.invalid", 5432)):
        url = make_url(db.url).set(host=host, port=port, password="secret")
        assert_unreachable(example, url.render_as_string(hide_password=False),
                           "cannot connect to the database")


def test_a_wrong_password_is_exit_3(example, db):
    """The server refuses the password (SQLSTATE 28P01): a server that asks for one answers,
    since the shared test server trusts every local connection."""
    if db.backend == "sqlite":
        pytest.skip("SQLite has no password")
    with refusing_postgres("28P01", 'password authentication failed for user "app"') as port:
        assert_unreachable(example, f"postgresql://app:secret@127.0.0.1:{port}/app",
                           "password authentication failed")


def test_sqlite_files_that_are_no_database_are_exit_3(example, db, tmp_path):
    if db.backend != "sqlite":
        pytest.skip("SQLite files")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database file at all" * 100)
    assert_unreachable(example, f"sqlite+aiosqlite:///{garbage}", "not a database")
    folder = tmp_path / "folder.db"
    folder.mkdir()
    assert_unreachable(example, f"sqlite+aiosqlite:///{folder}", "unable to open")


def test_only_the_drivers_code_means_missing():
    """Classified by code, whatever the message says."""
    class Driver(Exception):
        sqlstate: str | None = None

    def wrapped(orig: Exception) -> OperationalError:
        return OperationalError("connect", {}, orig)

    missing_pg, role = Driver('database "x" does not exist'), Driver('role "x" does not exist')
    missing_pg.sqlstate, role.sqlstate = "3D000", "28000"
    assert database_missing(wrapped(missing_pg))
    assert not database_missing(wrapped(role))
    assert database_missing(wrapped(Exception(1049, "Unknown database 'x'")))
    assert not database_missing(wrapped(Exception(1045, "Access denied; does not exist")))


@contextmanager
def refusing_postgres(sqlstate: str, message: str) -> Iterator[int]:
    """A server speaking just enough of PostgreSQL's protocol to ask for a password and refuse
    it with ``sqlstate``; yields its port."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(10)

    def serve() -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            with client:
                try:
                    answer(client)
                except OSError:
                    pass

    def answer(client: socket.socket) -> None:
        while True:
            length, code = struct.unpack("!ii", client.recv(8))
            client.recv(length - 8)
            if code != 80877103:  # not an SSLRequest: the startup message
                break
            client.sendall(b"N")
        client.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
        client.recv(1024)  # the password message
        fields = b"".join(kind + value.encode() + b"\0" for kind, value in (
            (b"S", "FATAL"), (b"V", "FATAL"), (b"C", sqlstate), (b"M", message))) + b"\0"
        client.sendall(b"E" + struct.pack("!i", len(fields) + 4) + fields)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()
        thread.join(5)


@pytest.mark.mariadb
def test_mariadb_missing_database_and_unknown_user(example):
    """ER_BAD_DB_ERROR (1049) is a database not created yet; an unknown user is exit 3."""
    from conftest import MARIADB_SERVER
    from support import server_available

    if not server_available(MARIADB_SERVER):
        pytest.skip(f"the MariaDB server at {MARIADB_SERVER} is unreachable")
    server = make_url(MARIADB_SERVER)
    code, document = plan(example, server.set(database="orch_never_created_13")
                          .render_as_string(hide_password=False))
    # exit 1: lint findings of the pending revisions for MariaDB (DDL is not transactional)
    assert code in (0, 1) and document["database"]["exists"] is False
    assert {s["status"] for s in document["services"]} == {"pending"}
    assert_unreachable(example, server.set(username="nobody", password="secret", database="x")
                       .render_as_string(hide_password=False), "Access denied")
