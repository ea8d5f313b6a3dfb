"""Human output: tables aligned on what is visible, colour only when wanted (--color, NO_COLOR,
TERM=dumb, a terminal), errors told first-line-first."""
from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import orchestrate

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def columns(header: str) -> list[int]:
    """Where each column of a table starts, from its header line."""
    return [m.start() for m in re.finditer(r"\S+(?: \S+)*", header)]


def assert_aligned(lines: list[str], filled: tuple[str, ...] = ()) -> None:
    """Every row's cells start where their header does: nothing crosses a column's start, and
    the ``filled`` columns (never empty) start exactly there."""
    header, rule, *rows = lines
    starts = columns(header)
    assert [m.start() for m in re.finditer(r"-+", rule)] == starts, (header, rule)
    names = header.split()
    for row in rows:
        for name, start in zip(names[1:], starts[1:]):
            assert row[start - 1] == " ", (header, row)
            assert name not in filled or row[start] != " ", (name, header, row)


def test_tables_line_up_with_colour_forced_on(example: Path, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    assert orchestrate(example, "upgrade", "users", "--with-requirements", url=url).exit_code == 0
    shown = orchestrate(example, "history", "--color", "always", url=url)
    assert shown.exit_code == 0, shown.stderr
    assert "\x1b[" in shown.stdout  # coloured: the status column (applied, current, pending)
    lines = ANSI.sub("", shown.stdout).splitlines()
    assert lines[0].startswith("database: ")
    assert_aligned(lines[1:], filled=("revision", "status", "message"))
    statuses = {line.split()[4] for line in lines[3:] if "(head)" in line}
    assert {"current", "pending"} <= statuses
    assert all(line == line.rstrip() for line in lines), "no trailing blanks"


def test_colour_never_and_off_a_terminal(example: Path) -> None:
    for args in (("heads",), ("heads", "--color", "never"), ("--color", "never", "heads")):
        shown = orchestrate(example, *args)
        assert shown.exit_code == 0 and "\x1b[" not in shown.stdout, args
        assert_aligned(shown.stdout.splitlines()[:7], filled=("head", "created", "message"))


def on_a_terminal(example: Path, *args: str, **env: str) -> str:
    """Run the CLI with stdout on a pseudo-terminal; what the terminal received."""
    controller, terminal = pty.openpty()
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    environment.update({"TERM": "xterm-256color", "COLUMNS": "200", **env})
    process = subprocess.Popen([sys.executable, "-m", "orchestrator", *args, "--root",
                                str(example)], stdout=terminal, stderr=subprocess.PIPE,
                               env=environment, cwd=example)
    os.close(terminal)
    received = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    process.wait(timeout=120)
    os.close(controller)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    return received.decode()


@pytest.mark.parametrize("env, coloured", [
    ({}, True),
    ({"NO_COLOR": "1"}, False),
    ({"TERM": "dumb"}, False),
])
def test_a_terminal_gets_colour_unless_told_not_to(example: Path, env: dict, coloured: bool
                                                   ) -> None:
    shown = on_a_terminal(example, "heads", **env)
    assert ("\x1b[" in shown) is coloured, (env, shown)
    assert "clean: no service has several heads" in ANSI.sub("", shown)


def test_colour_always_beats_no_color(example: Path) -> None:
    shown = on_a_terminal(example, "heads", "--color", "always", NO_COLOR="1")
    assert "\x1b[" in shown


def test_an_error_says_what_first_then_the_details(example: Path) -> None:
    refused = orchestrate(example, "heads", "ordrs")
    assert refused.exit_code == 2 and refused.stdout == ""
    first, *details = refused.stderr.splitlines()
    assert first == "error: unknown service 'ordrs'"
    assert details[0] == "  did you mean: orders?"
    assert details[1].startswith("  the workspace has: invoices, orders")
