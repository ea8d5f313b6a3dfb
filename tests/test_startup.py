"""The ``orchestrate`` process: what start-up loads, and the fast exit after the answer.

No timings here (benchmarks/startup_bench.py measures them); these tests check what makes
start-up fast: which modules a command imports, and that ending the process without tearing
the heap down loses no output and keeps the exit code.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: Imported by a command that needs them, never by ``--help`` or ``--version``.
LIBRARIES = ("sqlalchemy", "alembic", "networkx", "asyncpg", "aiosqlite", "structlog", "rich",
             "pglast", "sqlglot", "anyio")

_PROBE = """
import json, sys
sys.argv = ["orchestrate", *sys.argv[1:]]
from orchestrator.cli import main
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules_after(*args: str, cwd: Path | None = None) -> set[str]:
    """Every module imported by ``orchestrate ARGS``, in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("plan", "--help")])
def test_help_and_version_load_no_library(args):
    loaded = modules_after(*args)
    assert "click" in loaded  # the probe ran the command line
    assert not {m.partition(".")[0] for m in loaded} & set(LIBRARIES)
    assert not [m for m in loaded if m.startswith(
        ("orchestrator.lint.catalog", "orchestrator.lint.runner", "orchestrator.history",
         "orchestrator.runtime", "orchestrator.workspace", "orchestrator.autogenerate"))]


def test_heads_imports_no_models(example):
    loaded = modules_after("heads", "--root", str(example))
    assert "orchestrator.branches" in loaded  # heads ran
    assert not [m for m in loaded if ".models" in m]  # revisions may import shared_db


def test_the_process_exits_fast_with_every_line_written_and_its_exit_code(example):
    run = [sys.executable, "-m", "orchestrator"]
    done = subprocess.run([*run, "plan", "--json", "--root", str(example)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)  # complete: flushed before the process ended
    assert document["command"] == "plan" and document["ok"]
    refused = subprocess.run([*run, "plan", "--root", str(example / "nowhere")],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


def test_fast_exit_reads_the_exit_code_as_the_interpreter_does():
    code = ("from orchestrator.cli.process import fast_exit\n"
            "print('written', end='')\n"
            "fast_exit({})")
    for argument, status in (("None", 0), ("3", 3), ("'a message'", 1)):
        done = subprocess.run([sys.executable, "-c", code.format(argument)],
                              capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stdout) == (status, "written")
    assert "a message" in done.stderr


def test_the_cli_called_in_process_neither_exits_nor_leaves_the_collector_off(example):
    import gc

    from tests.support import orchestrate

    assert orchestrate(example, "plan").exit_code == 0  # returned: the process goes on
    assert gc.isenabled() and gc.get_freeze_count() == 0
