"""Secrets never shown: one redaction function, tested on the URL shapes users write, and
every output path (plan, history, train plan, upgrade logs, connection errors) on both backends."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import URL, make_url
from support import orchestrate, write

from orchestrator.core.redaction import redact

SHAPES = [
    # userinfo, percent-encoded or not
    ("postgresql://app:hunter2@db:5432/app", "postgresql://app:***@db:5432/app"),
    ("postgresql+asyncpg://app:hun%40ter2@db/app", "postgresql+asyncpg://app:***@db/app"),
    ("postgresql://app:hun@ter2@db/app", "postgresql://app:***@db/app"),
    ("postgresql://app:h@u@n@db/app", "postgresql://app:***@db/app"),
    ("postgresql://app:hu/nt:er2@db/app", "postgresql://app:***@db/app"),
    ("postgresql://app:hunter2?x@db/app", "postgresql://app:***@db/app"),
    ("postgresql://:hunter2@db/app", "postgresql://:***@db/app"),
    ("postgresql://app:hunter2@h1:5432,h2:5433/app", "postgresql://app:***@h1:5432,h2:5433/app"),
    ("postgresql://app:hunter2@[::1]:5432/app", "postgresql://app:***@[::1]:5432/app"),
    ("mysql+asyncmy://root:hunter2@127.0.0.1:3306/app?charset=utf8mb4",
     "mysql+asyncmy://root:***@127.0.0.1:3306/app?charset=utf8mb4"),
    # query parameters the drivers read
    ("postgresql://app@db/app?password=hunter2", "postgresql://app@db/app?password=***"),
    ("postgresql://app@db/app?PASSWORD=hunter2&sslmode=require",
     "postgresql://app@db/app?PASSWORD=***&sslmode=require"),
    ("postgresql://app@db/app?sslmode=verify-full&sslpassword=hunter2&sslkey=/run/hunter2.key"
     "&application_name=deploy",
     "postgresql://app@db/app?sslmode=verify-full&sslpassword=***&sslkey=***"
     "&application_name=deploy"),
    ("postgresql://app@db/app?password=hun@ter2", "postgresql://app@db/app?password=***"),
    ("postgresql://app:hunter2@db/app?password=hunter2", "postgresql://app:***@db/app?password=***"),
    ("snowflake://app@acct/db?token=hunter2&warehouse=w", "snowflake://app@acct/db?token=***&warehouse=w"),
    ("https://x/y?X-Amz-Security-Token=hunter2&X-Amz-Signature=hunter2&a=1",
     "https://x/y?X-Amz-Security-Token=***&X-Amz-Signature=***&a=1"),
    ("bigquery://p/d?access_token=hunter2", "bigquery://p/d?access_token=***"),
    ("postgresql://app@db/app?api_key=hunter2", "postgresql://app@db/app?api_key=***"),
    ("sqlite:////tmp/app.db?password=hunter2", "sqlite:////tmp/app.db?password=***"),
    # nothing secret: unchanged
    ("postgresql://app@db:5432/app", "postgresql://app@db:5432/app"),
    ("postgresql://app@db/app?application_name=deploy&sslmode=require",
     "postgresql://app@db/app?application_name=deploy&sslmode=require"),
    ("sqlite+aiosqlite:////tmp/x/orchestrate.db", "sqlite+aiosqlite:////tmp/x/orchestrate.db"),
    # URLs inside text, and libpq-style key=value text
    ("cannot connect to the database at postgresql://app:hunter2@db/app: refused",
     "cannot connect to the database at postgresql://app:***@db/app: refused"),
    ("'postgresql://app:hun@ter2@db/app' is not a database URL",
     "'postgresql://app:***@db/app' is not a database URL"),
    ("from postgresql://a:hunter2@x/1 to mysql://b:hunter2@y/2",
     "from postgresql://a:***@x/1 to mysql://b:***@y/2"),
    ("host=db user=app password=hunter2 dbname=app", "host=db user=app password=*** dbname=app"),
    ("host=db password='hunter 2' dbname=app", "host=db password=*** dbname=app"),
    ('{"dsn": "host=db password=hunter2"}', '{"dsn": "host=db password=***"}'),
]


@pytest.mark.parametrize(("given", "shown"), SHAPES)
def test_redaction_of_url_shapes(given, shown):
    assert redact(given) == shown
    assert "hunter" not in redact(given)


@pytest.mark.parametrize("password", ["hunter2", "hun@ter2", "hu:n/t?er#2", "hunter 2", "p%40ss"])
def test_a_sqlalchemy_url_object_is_redacted_whatever_its_password(password):
    url = URL.create("postgresql+asyncpg", username="app", password=password, host="db",
                     database="app", query={"sslpassword": "hunter3"})
    assert redact(url) == "postgresql+asyncpg://app:***@db/app?sslpassword=***"
    assert redact(make_url(url.render_as_string(hide_password=False))) == redact(url)


@contextmanager
def secret_url(db) -> Iterator[str]:
    """The test database's URL with secrets where users put them (PostgreSQL's trust
    authentication ignores them; on MariaDB a user of the test's own, with a password)."""
    if db.backend == "postgresql":
        yield db.url.replace("postgres@", "postgres:hunter2@", 1) + "?password=hunter3"
    elif db.backend == "mariadb":
        server, database = db.url.rsplit("/", 1)
        user = f"'{database}'@'%'"
        db.execute(f"CREATE USER {user} IDENTIFIED BY 'hunter2'")
        try:
            db.execute(f"GRANT ALL ON `{database}`.* TO {user}")
            yield db.url.replace("root@", f"{database}:hunter2@", 1)
        finally:
            db.execute(f"DROP USER {user}")
    else:
        yield db.url + "?password=hunter3"


def test_no_output_path_shows_a_secret(example, db):
    write(example / "trains" / "spring.toml", '[targets]\nusers = "head"\n')
    commands = [("plan",), ("plan", "--json"), ("history",), ("history", "--json"),
                ("train", "plan", "spring"), ("train", "plan", "spring", "--json"),
                ("upgrade", "-vv", "--log-format", "json"),
                ("upgrade", "--log-format", "plain", "-v"), ("train", "status", "spring")]
    with secret_url(db) as url:
        outcomes = [orchestrate(example, *command, url=url) for command in commands]
    for outcome in outcomes:
        assert outcome.exit_code in (0, 1), outcome.stderr
    assert "orders" in outcomes[0].stdout and "***" in outcomes[0].stdout
    for outcome in outcomes:
        assert "hunter" not in outcome.stdout + outcome.stderr


@pytest.mark.parametrize("url", [
    "postgresql://app:hunter2@127.0.0.1:1/app",
    "postgresql://app:hun@ter2@127.0.0.1/app",
    "postgresql://app:hunter2@127.0.0.1:fivefour/app",
    "postgresql://app@127.0.0.1/app?sslpassword=hunter2&sslkey=/k",
    "oracle://app:hunter2@db/app",
    "postgresql:/app:hunter2@127.0.0.1/app",
])
def test_bad_or_unreachable_urls_are_refused_without_their_secret(example, url):
    outcome = orchestrate(example, "plan", url=url)
    assert outcome.exit_code in (2, 3), outcome.stderr
    assert outcome.stderr.startswith("error: ") and "Traceback" not in outcome.stderr
    assert "hunter" not in outcome.stdout + outcome.stderr


def test_an_unencoded_at_sign_is_refused_with_the_fix(example):
    outcome = orchestrate(example, "plan", url="postgresql://app:hun@ter2@127.0.0.1/app")
    assert outcome.exit_code == 2
    assert "unencoded '@'" in outcome.stderr and "%40" in outcome.stderr


def test_a_port_that_is_no_number_is_bad_input(example):
    outcome = orchestrate(example, "plan", url="postgresql://app@127.0.0.1:fivefour/app")
    assert outcome.exit_code == 2
    assert "--database-url" in outcome.stderr and "port" in outcome.stderr
