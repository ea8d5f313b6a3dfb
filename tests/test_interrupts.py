"""Ctrl-C is exit 130 whatever the command is doing, and says what it left: nothing when no
step was being applied, the step rolled back when one was (a train's Ctrl-C with nothing
half-applied: test_lock_safety.test_ctrl_c_rolls_the_step_back_records_it_and_exits_130)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from support import orchestrate, write, write_revision
from test_trains import wait_until

USERS_HEAD = "3f2a9c1b0d4e"


def test_ctrl_c_while_a_read_command_works_is_130_without_a_traceback(example: Path,
                                                                        tmp_path: Path) -> None:
    marker = tmp_path / "loading"
    # asyncio takes Ctrl-C at the next await: the import's sleep ends first
    write(example / "services/users/models/slow.py",
          f"import pathlib, time\npathlib.Path({str(marker)!r}).touch()\ntime.sleep(2)\n")
    plan = subprocess.Popen(
        [sys.executable, "-m", "orchestrator", "plan", "--root", str(example),
         "--database-url", f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"],
        cwd=example, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(marker.exists, "plan to import the models")
        plan.send_signal(signal.SIGINT)
        _, err = plan.communicate(timeout=60)
    finally:
        plan.kill()
    assert plan.returncode == 130
    assert err == "error: interrupted (Ctrl-C)\n"
    assert not (tmp_path / "app.db").exists()


def test_ctrl_c_in_a_step_names_the_step_rolled_back(example: Path, db) -> None:
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    write_revision(example, "users", "c1c1c1c1c1c1", USERS_HEAD,
                   "op.add_column('users', sa.Column('nickname', sa.String(40)))\n"
                   "if not op.get_context().as_sql:\n    raise KeyboardInterrupt")
    outcome = orchestrate(example, "upgrade", url=db.url)
    assert outcome.exit_code == 130
    if db.backend == "mariadb":  # the ALTER committed on its own: said, never "rolled back"
        assert "1 of its statements had committed on their own" in outcome.stderr
        assert "that step was rolled back" not in outcome.stderr
        assert db.version("users") == [USERS_HEAD] and "nickname" in db.columns("users")
        return
    assert outcome.stderr.splitlines()[0] == (
        "error: interrupted (Ctrl-C) at step 1 (service 'users', revision c1c1c1c1c1c1): that "
        "step was rolled back; the steps before it stay applied")
    assert db.version("users") == [USERS_HEAD] and "nickname" not in db.columns("users")
