"""``--sql`` streams step by step and stops, naming the revision, where offline rendering cannot
go on; a failed run reports the steps that committed before the failing one."""
from __future__ import annotations

import shutil

import pytest
from support import REPO, orchestrate, run_script, write
from test_json_envelope import schema_registry, validated


@pytest.fixture(scope="module")
def registry():
    return schema_registry()


VERSIONS = "services/users/migrations/versions"
SECOND = '''"""add nickname"""
from alembic import op
import sqlalchemy as sa

revision = "aa0000000002"
down_revision = "3f2a9c1b0d4e"


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))


def downgrade():
    used = op.get_bind().execute(sa.text("SELECT count(*) FROM users WHERE nickname IS NOT NULL"))
    if used.scalar():
        raise RuntimeError("nicknames are in use")
    op.drop_column("users", "nickname")
'''
#: The third revision reads rows through op.get_bind(): it cannot be rendered offline.
THIRD = '''"""backfill nicknames"""
from alembic import op
import sqlalchemy as sa

revision = "aa0000000003"
down_revision = "aa0000000002"


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, email FROM users")).fetchall()
    for row in rows:
        connection.execute(sa.text("UPDATE users SET nickname = :n WHERE id = :i"),
                           {"n": row.email.split("@")[0], "i": row.id})


def downgrade():
    pass
'''


def _line_of(source: str, text: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), 1) if text in line)


def _history(example):
    write(example / VERSIONS / "aa0000000002_add_nickname.py", SECOND)
    write(example / VERSIONS / "aa0000000003_backfill.py", THIRD)


def _names_the_third(stderr: str, example) -> None:
    assert "service 'users', revision aa0000000003" in stderr
    line = _line_of(THIRD, "SELECT id, email")
    assert f"{example / VERSIONS / 'aa0000000003_backfill.py'}:{line}" in stderr
    assert "Traceback" not in stderr and "internal error" not in stderr


def test_upgrade_sql_prints_the_steps_before_a_revision_that_reads_rows(example, db):
    _history(example)
    result = orchestrate(example, "upgrade", "users", "--sql", url=db.url)
    assert result.exit_code == 3, result.stderr
    _names_the_third(result.stderr, example)
    assert "step 3" in result.stderr
    script = result.stdout
    assert "-- upgrade users 3f2a9c1b0d4e" in script and "-- upgrade users aa0000000002" in script
    assert "aa0000000003" not in script  # nothing of the failing step
    assert "ADD COLUMN nickname" in script
    # what was printed is a complete script: a DBA applies it, then the third runs online
    run_script(db, script)
    assert db.version("users") == ["aa0000000002"]
    online = orchestrate(example, "upgrade", "users", url=db.url)
    assert online.exit_code == 0, online.stderr
    assert db.version("users") == ["aa0000000003"]


def test_upgrade_sql_json_carries_the_sql_before_and_the_step_it_stopped_at(example, db,
                                                                            registry):
    _history(example)
    result = orchestrate(example, "upgrade", "users", "--sql", "--json", url=db.url)
    assert result.exit_code == 3
    document = validated(registry, result.stdout)
    assert (document["ok"], document["verdict"]) == (False, "error")
    assert document["failed"]["position"] == 3
    assert document["failed"]["revision"] == "aa0000000003"
    assert "-- upgrade users aa0000000002" in document["sql"]
    assert document["errors"][0]["code"] == "offline-render-failed"


def test_downgrade_plan_and_train_sql_stop_at_the_revision_too(example, db, registry):
    _history(example)
    shutil.copytree(REPO / "trains", example / "trains")
    plan = orchestrate(example, "plan", "--sql", url=db.url)
    assert plan.exit_code == 3
    plan_json = validated(registry, orchestrate(example, "plan", "--sql", "--json",
                                                url=db.url).stdout)
    assert plan_json["verdict"] == "error" and "aa0000000002" in plan_json["sql"]
    _names_the_third(plan.stderr, example)
    assert "-- upgrade users aa0000000002" in plan.stdout
    train = orchestrate(example, "train", "run", "first-release", "--sql", url=db.url)
    assert train.exit_code == 3
    validated(registry, orchestrate(example, "train", "run", "first-release", "--sql",
                                    "--json", url=db.url).stdout)
    _names_the_third(train.stderr, example)
    assert "-- upgrade users aa0000000002" in train.stdout

    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    down = orchestrate(example, "downgrade", "users@base", "--cascade", "--sql", url=db.url)
    assert down.exit_code == 3
    assert "service 'users', revision aa0000000002" in down.stderr
    assert f"aa0000000002_add_nickname.py:{_line_of(SECOND, 'used.scalar()')}" in down.stderr
    assert "-- downgrade users aa0000000003" in down.stdout
    assert "-- downgrade users aa0000000002" not in down.stdout


FAILING = '''"""fails"""
from alembic import op
import sqlalchemy as sa

revision = "aa0000000003"
down_revision = "aa0000000002"


def upgrade():
    op.create_table("scratch", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("SELECT * FROM no_such_table")


def downgrade():
    op.drop_table("scratch")
'''


def test_a_failed_upgrade_lists_what_committed_then_the_failing_step(example, db, registry):
    write(example / VERSIONS / "aa0000000002_add_nickname.py", SECOND)
    write(example / VERSIONS / "aa0000000003_fails.py", FAILING)
    result = orchestrate(example, "upgrade", "users", url=db.url)
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0].startswith("upgraded users") and "3f2a9c1b0d4e" in lines[0]
    assert lines[1].startswith("upgraded users") and "aa0000000002" in lines[1]
    assert ("2 step(s) applied and committed before step 3 of 3 (users aa0000000003) failed"
            in result.stdout)
    assert db.version("users") == ["aa0000000002"]
    if db.backend == "mariadb":  # its CREATE TABLE committed on its own: said, not hidden
        assert "revision aa0000000003 failed after 1 of its statements had committed" \
            in result.stderr
        assert "scratch" in db.tables()
        return
    assert "revision aa0000000003 failed and was rolled back" in result.stderr
    assert "earlier statement" not in result.stderr
    assert "scratch" not in db.tables()

    write(example / VERSIONS / "aa0000000003_fails.py", FAILING.replace("no_such_table",
                                                                        "still_missing"))
    again = orchestrate(example, "upgrade", "users", "--json", url=db.url)
    document = validated(registry, again.stdout)
    assert (again.exit_code, document["verdict"], document["applied"]) == (3, "error", [])
    assert document["failed"] == {"position": 1, "service": "users", "revision": "aa0000000003",
                                  "direction": "upgrade", "message": "fails"}
    assert document["errors"][0]["code"] == "migration-failed"


#: Written the way real histories guard a step (redash's first revision): the error is caught,
#: PostgreSQL then refuses the next statement ("current transaction is aborted").
SWALLOWS = '''"""swallows an error"""
from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "aa0000000003"
down_revision = "aa0000000002"


def upgrade():
    try:
        op.execute("UPDATE no_such_table SET x = 1")
    except DBAPIError:
        print("already done?")
    op.execute("INSERT INTO also_missing VALUES (1)")


def downgrade():
    pass
'''


def test_a_failure_after_an_error_the_revision_caught_names_that_error(example, db):
    write(example / VERSIONS / "aa0000000002_add_nickname.py", SECOND)
    write(example / VERSIONS / "aa0000000003_swallows.py", SWALLOWS)
    result = orchestrate(example, "upgrade", "users", url=db.url)
    assert result.exit_code == 3
    assert "revision aa0000000003 failed and was rolled back" in result.stderr
    earlier = result.stderr.split("an earlier statement of the revision failed", 1)[1]
    assert "caught the error and went on" in earlier and "no_such_table" in earlier
    assert "Traceback" not in result.stderr
    assert db.version("users") == ["aa0000000002"]


def test_a_failed_downgrade_lists_what_committed(example, db, registry):
    write(example / VERSIONS / "aa0000000002_add_nickname.py", SECOND)
    write(example / VERSIONS / "aa0000000003_backfill.py", THIRD)
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    db.execute("INSERT INTO users (id, tenant_id, email, is_staff, nickname) "
               "VALUES (1, 't', 'a@b.c', false, 'a')")
    result = orchestrate(example, "downgrade", "users@3f2a9c1b0d4e", "--json", url=db.url)
    document = validated(registry, result.stdout)
    assert result.exit_code == 3
    assert [a["revision"] for a in document["applied"]] == ["aa0000000003"]
    assert document["failed"]["revision"] == "aa0000000002"
    assert "nicknames are in use" in document["errors"][0]["message"]
    assert db.version("users") == ["aa0000000002"]
