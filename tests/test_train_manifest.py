"""Bad train manifests through the CLI: exit 2, one paragraph naming the file and the key."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import orchestrate, write, write_revision

USERS_HEAD = "3f2a9c1b0d4e"


def train_file(root: Path, content: str, name: str = "spring") -> Path:
    return write(root / "trains" / f"{name}.toml", content)


@pytest.mark.parametrize("content, key, says", [
    ("[targets\nusers = 'head'", None, "not valid TOML"),
    ("colour = 'blue'\n[targets]\nusers = 'head'", "colour",
     "known keys: description"),
    ("description = 'x'", "targets", "missing or empty"),
    ("[targets]", "targets", "missing or empty"),
    ("[targets]\nbilling = 'head'", "targets.billing", "unknown service; the workspace has: "
                                                       "invoices, orders"),
    ("[targets]\nusers = 'ffffffffffff'", "targets.users", "has no revision 'ffffffffffff'"),
    ("[targets]\nusers = 3", "targets.users", "must be a revision id"),
    ("description = 4\n[targets]\nusers = 'head'", "description", "must be a str"),
    ("lock_timeout = 'soon'\n[targets]\nusers = 'head'", "lock_timeout",
     "is not a PostgreSQL duration"),
    ("statement_timeout = -5\n[targets]\nusers = 'head'", "statement_timeout",
     "is not a PostgreSQL duration"),
    ("with_requirements = 'yes'\n[targets]\nusers = 'head'", "with_requirements",
     "must be a bool"),
])
@pytest.mark.parametrize("command", ["plan", "run"])
def test_bad_manifest_names_file_and_key(example, content, key, says, command):
    path = train_file(example, content)
    outcome = orchestrate(example, "train", command, "spring")
    assert outcome.exit_code == 2, outcome.stdout
    message = outcome.stderr.strip()
    assert message.startswith(f"error: {path}: " + (f"{key}: " if key else "")), message
    assert says in message and "Traceback" not in message
    state = example / ".orchestrate"  # nothing was touched (the revisions' cached readings aside)
    assert not [p for p in state.glob("*") if p.name != "readings"]


def test_missing_manifest_lists_the_known_trains(example):
    train_file(example, "[targets]\nusers = 'head'", name="autumn")
    outcome = orchestrate(example, "train", "run", "spring")
    assert outcome.exit_code == 2
    assert f"{example / 'trains' / 'spring.toml'}: no such train manifest" in outcome.stderr
    assert "known trains: autumn" in outcome.stderr


@pytest.mark.parametrize("name", ["../escape", "a/b", "a b"])
def test_train_name_cannot_leave_the_trains_folder(example, name):
    outcome = orchestrate(example, "train", "status", name)
    assert outcome.exit_code == 2 and "is not valid" in outcome.stderr


def test_target_behind_the_database(example, db):
    write_revision(example, "users", "b2000000000b", USERS_HEAD, "pass")
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    path = train_file(example, f"[targets]\nusers = '{USERS_HEAD}'")
    outcome = orchestrate(example, "train", "run", "spring", url=db.url)
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(f"error: {path}: targets.users: the target {USERS_HEAD} is "
                                     "behind the database, which is at b2000000000b")
    assert "orchestrate_runs" not in db.tables()  # refused before any run was recorded


def test_target_that_would_need_a_downgrade(example, db):
    write_revision(example, "users", "aaaa00000001", USERS_HEAD, "pass", message="branch a")
    write_revision(example, "users", "bbbb00000001", USERS_HEAD, "pass", message="branch b")
    assert orchestrate(example, "upgrade", "users@aaaa00000001", "tenants",
                       url=db.url).exit_code == 0
    path = train_file(example, "[targets]\nusers = 'bbbb00000001'")
    outcome = orchestrate(example, "train", "plan", "spring", url=db.url)
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(f"error: {path}: targets.users: reaching bbbb00000001 "
                                     "would need a downgrade: the database has aaaa00000001")
    head = train_file(example, "[targets]\nusers = 'head'")
    outcome = orchestrate(example, "train", "plan", "spring", url=db.url)
    assert outcome.exit_code == 2 and f"{head}: targets.users: service 'users' has 2 heads" \
        in outcome.stderr


def test_requirements_outside_the_train(example, db):
    path = train_file(example, "[targets]\norders = 'head'")
    outcome = orchestrate(example, "train", "plan", "spring", url=db.url)
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(f"error: {path}: targets: nothing was applied: orders:")
    assert "with_requirements = true" in outcome.stderr
    train_file(example, "with_requirements = true\n[targets]\norders = 'head'")
    plan = orchestrate(example, "train", "plan", "spring", "--json", url=db.url)
    assert plan.exit_code == 0, plan.stderr
    services = [s["service"] for s in json.loads(plan.stdout)["steps"]]
    assert services[-1] == "orders" and {"users", "products"} <= set(services)
