"""Human output: aligned tables and colour only when stdout is a terminal."""
from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def style(text: str, **kw: Any) -> str:
    """Colour for a terminal; plain text anywhere else."""
    return click.style(text, **kw) if sys.stdout.isatty() else text


def short(revisions: Sequence[str]) -> str:
    return ", ".join(r[:12] for r in revisions) if revisions else "(base)"


def echo_human(text: Any, color: str = "auto") -> None:
    """A command's human output on stdout."""
    click.echo(text, color={"always": True, "never": False}.get(color))


def echo_error(message: str, details: Sequence[str], color: str = "auto") -> None:
    """An error on stderr: what is wrong on the first line, details, place and fix below."""
    label = click.style("error: ", fg="red", bold=True) if sys.stderr.isatty() else "error: "
    lines = [label + message, *("  " + detail for detail in details)]
    click.echo("\n".join(lines), err=True, color={"always": True, "never": False}.get(color))


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to the workspace ``root`` when inside it, for people to read."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
