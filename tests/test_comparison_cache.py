"""The comparison cache and the comparison over processes: never a stale or different answer.

A service found clean is not compared again while the fingerprints of its tables (model and
reflected snapshot) are the same; these tests change one thing at a time, on either side, and
require ``check`` to see it. ``check --json`` must be the same with and without the cache and
with one or several processes.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import pytest
from support import orchestrate

from benchmarks import synthetic
from orchestrator.autogenerate import autodetect
from orchestrator.autogenerate.check import check
from orchestrator.runtime.migrate import upgrade
from orchestrator.runtime.orchestration import ComparisonOptions, Orchestration

TABLE = synthetic.table_name(1, 1)  # s001_t001


@pytest.fixture
def workspace(tmp_path: Path, db, monkeypatch) -> Path:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # edited models are read afresh
    root = synthetic.build(tmp_path / "ws", 2, 3)
    anyio.run(upgrade, Orchestration.open(root, db.url))
    return root


@pytest.fixture
def compared(monkeypatch) -> list[str]:
    """The services actually compared (not taken from the cache), in order."""
    names: list[str] = []
    original = autodetect._compare_one

    def counting(connection, orch, name, snapshot):
        names.append(name)
        return original(connection, orch, name, snapshot)

    monkeypatch.setattr(autodetect, "_compare_one", counting)
    return names


def run_check(root: Path, url: str, **options):
    orch = Orchestration.open(root, url)
    orch.comparison = ComparisonOptions(**options)
    return anyio.run(check, orch)


def edit_model(root: Path, old: str, new: str) -> None:
    path = root / "services" / "s001" / "models" / "tables.py"
    text = path.read_text()
    start = text.index(f"{TABLE} = sa.Table(")
    end = text.index(")\n", start)
    block = text[start:end]
    assert old in block
    path.write_text(text[:start] + block.replace(old, new, 1) + text[end:])


MODEL_CHANGES = {
    "column": ("    sa.Column('name'", "    sa.Column('extra', sa.Integer, nullable=True),\n"
                                        "    sa.Column('name'"),
    "default": ("server_default='new'", "server_default='old'"),
    "index": ("sa.Column('name', sa.String(100), nullable=False)",
              "sa.Column('name', sa.String(100), nullable=False, index=True)"),
    "type": ("sa.String(100)", "sa.String(120)"),
}

DATABASE_CHANGES = {
    "column": f"ALTER TABLE {TABLE} ADD COLUMN extra INTEGER",
    "index": f"CREATE INDEX ix_extra_name ON {TABLE} (name)",
    "default": f"ALTER TABLE {TABLE} ALTER COLUMN status SET DEFAULT 'old'",
    "type": f"ALTER TABLE {TABLE} ALTER COLUMN name TYPE VARCHAR(120)",
}


def test_a_clean_service_is_not_compared_again_until_something_changes(workspace, db, compared):
    assert run_check(workspace, db.url).clean
    assert compared == ["s000", "s001"]
    assert (workspace / ".orchestrate" / "comparisons").is_dir()
    compared.clear()
    assert run_check(workspace, db.url).clean
    assert compared == []  # both found clean with the same fingerprints
    assert run_check(workspace, db.url, cache=False).clean
    assert compared == ["s000", "s001"]  # --no-cache compares everything


@pytest.mark.parametrize("change", sorted(MODEL_CHANGES))
def test_a_model_change_is_always_seen(workspace, db, compared, change):
    assert run_check(workspace, db.url).clean  # cached clean
    edit_model(workspace, *MODEL_CHANGES[change])
    report = run_check(workspace, db.url)
    assert not report.clean
    assert {c.table for c in report["s001"].changes} == {TABLE}
    assert report["s000"].changes == []
    assert compared[-1:] == ["s001"] and compared.count("s000") == 1  # s000 still cached


@pytest.mark.parametrize("change", sorted(DATABASE_CHANGES))
def test_a_database_change_is_always_seen(workspace, db, compared, change):
    if db.backend == "sqlite" and change in ("default", "type"):
        pytest.skip("SQLite cannot alter a column in place")
    assert run_check(workspace, db.url).clean  # cached clean
    statement = DATABASE_CHANGES[change]
    if db.backend == "mariadb" and change == "type":  # MySQL's spelling
        statement = f"ALTER TABLE {TABLE} MODIFY name VARCHAR(120)"
    db.execute(statement)
    report = run_check(workspace, db.url)
    assert not report.clean
    assert {c.table for c in report["s001"].changes} == {TABLE}


def test_check_json_is_the_same_with_or_without_cache_and_over_processes(workspace, db):
    edit_model(workspace, *MODEL_CHANGES["type"])  # something to report
    runs = [("--no-cache", "--processes", "1"), ("--processes", "2"), ("--processes", "2"),
            ("--processes", "1"), ("--no-cache", "--processes", "2")]
    documents = []
    for options in runs:
        outcome = orchestrate(workspace, "check", "--json", *options, url=db.url)
        assert outcome.exit_code == 1, outcome.stderr
        documents.append(json.loads(outcome.stdout))
    assert all(document == documents[0] for document in documents)
    assert [c["table"] for c in documents[0]["services"][1]["changes"]] == [TABLE]
