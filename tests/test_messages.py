"""Messages: what is wrong on the first line, then details, place and fix on their own lines;
never SQLAlchemy's "(Background on this error at ...)" link, wherever a database error shows."""
from __future__ import annotations

import json
from pathlib import Path

from support import orchestrate, write, write_revision

LINK = ("Background on this error", "sqlalche.me")


def test_merge_conflicts_one_per_line_with_their_operations_and_fix(example: Path) -> None:
    from test_branches import ORDERS_BASE, revision

    add = "op.add_column('orders', sa.Column('gift_note', sa.Text(), nullable=True))"
    for rev in ("a1a1a1a1a1a1", "b2b2b2b2b2b2"):
        revision(example, "orders", rev, ORDERS_BASE, add, "op.drop_column('orders', 'gift_note')")
    outcome = orchestrate(example, "merge", "orders")
    assert outcome.exit_code == 1
    first, what, one, other, fix = outcome.stderr.splitlines()
    assert first == "error: refusing to merge, nothing was written: 1 conflict(s) between branches"
    assert what.strip() == "(1) service 'orders': both branches add column orders.gift_note"
    assert "a1a1a1a1a1a1" in one and "b2b2b2b2b2b2" in other
    assert fix.strip().startswith("Whichever runs second fails.")


def test_no_sqlalchemy_link_in_a_failed_step_its_record_or_its_status(example: Path,
                                                                      db) -> None:
    head = json.loads(orchestrate(example, "heads", "tenants", "--json").stdout)
    tenants = head["services"][0]["heads"][0]["revision"]
    write_revision(example, "tenants", "c0c0c0c0c0c0", tenants,
                   'op.execute("UPDATE no_such_table SET x = 1")')
    write(example / "trains" / "t.toml", '[targets]\ntenants = "head"\n')
    failed = orchestrate(example, "train", "run", "t", url=db.url)
    assert failed.exit_code == 3 and "no_such_table" in failed.stderr
    upgrade = orchestrate(example, "upgrade", url=db.url)
    assert upgrade.exit_code == 3 and "no_such_table" in upgrade.stderr
    status = orchestrate(example, "train", "status", "t", url=db.url)
    status_json = orchestrate(example, "train", "status", "t", "--json", url=db.url)
    assert "no_such_table" in status_json.stdout
    for text in (failed.stderr, upgrade.stderr, status.stdout, status_json.stdout):
        assert not any(link in text for link in LINK), text


def test_ownership_overlaps_one_per_line_then_the_fix(example: Path) -> None:
    for name in ("tenants", "users"):  # both services now define the other's main table
        write(example / f"services/{name}/models/stolen.py",
              f"import sqlalchemy as sa\nfrom services.{name}.models import metadata\n\n"
              + "".join(f"sa.Table({table!r}, metadata, sa.Column('id', sa.Integer, "
                        "primary_key=True), extend_existing=True)\n"
                        for table in {"tenants": ["users"], "users": ["tenants"]}[name]))
    outcome = orchestrate(example, "check")
    assert outcome.exit_code == 2
    first, *overlaps, fix = outcome.stderr.splitlines()
    assert first == "error: 2 tables or types are each claimed by two services"
    assert sorted(line.split("'")[1] for line in overlaps) == ["tenants", "users"]
    assert fix.strip().startswith("fix: Every table must belong to exactly one service")
