"""Read commands never create a database: a mistyped SQLite path leaves no file (nor folder)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import REPO, orchestrate

#: Every command that only reads the database, as a user would type it.
READERS = [("plan",), ("plan", "--sql"), ("check",), ("services",), ("current",), ("heads",),
           ("history",), ("graph",), ("lint",), ("train", "plan", "first-release"),
           ("train", "status", "first-release"), ("upgrade", "--sql"),
           ("train", "run", "first-release", "--dry-run")]


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_read_command_creates_no_database(example: Path, tmp_path: Path,
                                            args: tuple[str, ...]) -> None:
    shutil.copytree(REPO / "trains", example / "trains")
    folder = tmp_path / "mistyped"
    outcome = orchestrate(example, *args, url=f"sqlite+aiosqlite:///{folder / 'app.db'}")
    assert outcome.exit_code in (0, 1, 2), outcome.stderr
    assert not folder.exists(), f"{' '.join(args)} created {sorted(folder.rglob('*'))}"
    assert not (example / ".orchestrate" / "orchestrate.db").exists()
