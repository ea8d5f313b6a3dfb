"""Human output for a person: rich tables measured on visible width, colour only when wanted.

rich is imported inside these functions, so only when something is rendered for a person:
``--json``, ``--help`` and ``--version`` never load it. Raw text (SQL, DOT, Mermaid) is written
as it is. Colour: ``--color always`` or ``never`` decide; with ``auto`` (the default) colour
only on a terminal, and never with ``NO_COLOR`` set or ``TERM=dumb`` (``FORCE_COLOR`` forces
it). Off a terminal nothing wraps: lines are as long as their content, trailing blanks removed.
"""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, Union

import click

if TYPE_CHECKING:
    from rich.box import Box
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

#: A piece of a line: plain text, or (text, rich style) such as ("up to date", "green").
Part = Union[str, tuple[str, str], "Text"]

_UNWRAPPED = 100_000  # the width off a terminal: a table or a line is never folded
_TRAILING = re.compile(r"(?:[ \t]|\x1b\[[0-9;]*m)+$", re.MULTILINE)
_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
_DUMB = ("dumb", "unknown")


def wants_color(stream: TextIO, color: str = "auto") -> bool:
    """Whether ``stream`` gets colour: ``--color``, then NO_COLOR, FORCE_COLOR, TERM, a tty."""
    if color != "auto":
        return color == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return os.environ.get("TERM", "") not in _DUMB and stream.isatty()


def console(stream: TextIO, color: str = "auto") -> Console:
    """A rich console writing to ``stream`` the way ``--color`` and the environment say."""
    from rich.console import Console

    colour = wants_color(stream, color)
    terminal = stream.isatty()
    system = "auto" if terminal and os.environ.get("TERM", "") not in _DUMB else "standard"
    return Console(file=stream, force_terminal=colour, no_color=not colour,
                   color_system=system if colour else None,
                   width=None if terminal else _UNWRAPPED, highlight=False, markup=False,
                   emoji=False, soft_wrap=not terminal)


def echo_human(output: Any, color: str = "auto") -> None:
    """A command's human output on stdout: text as it is, a rich renderable rendered."""
    if isinstance(output, str):
        click.echo(output)
        return
    stream = sys.stdout
    target = console(stream, color)
    with target.capture() as captured:
        target.print(output)
    stream.write(_TRAILING.sub(_keep_escapes, captured.get()))
    stream.flush()


def _keep_escapes(match: re.Match[str]) -> str:
    """Trailing blanks go; a trailing style reset stays."""
    return "".join(_ESCAPE.findall(match.group()))


def echo_error(message: str, details: Sequence[str], color: str = "auto") -> None:
    """An error on stderr: what is wrong on the first line; details, place and fix below."""
    label = "error: "
    if wants_color(sys.stderr, color):
        label = click.style(label, fg="red", bold=True)
    click.echo("\n".join([label + message, *("  " + detail for detail in details)]), err=True,
               color=wants_color(sys.stderr, color))


def text(*parts: Part) -> Text:
    """One line (or paragraph) from pieces: ``text("3 ", ("errors", "red"))``."""
    from rich.text import Text

    return Text.assemble(*parts)


def styled(content: str, style: str | None) -> Text:
    from rich.text import Text

    return Text(content, style=style or "")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """Columns aligned on what is visible; a cell is text, a number, a styled Text or None."""
    from rich.table import Table

    grid = Table(box=_underlined_header(), show_edge=False, pad_edge=False,
                 padding=(0, 1, 0, 0), header_style="bold", highlight=False)
    for header in headers:
        grid.add_column(header)
    for row in rows:
        grid.add_row(*("" if cell is None else cell if not isinstance(cell, int | float)
                       else str(cell) for cell in row))
    return grid


def _underlined_header() -> Box:
    """No lines but each header underlined with ASCII dashes: plain to read, grep and diff."""
    from rich.box import Box

    return Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)


def stack(*items: RenderableType | None) -> RenderableType:
    """Renderables one below the other; None is skipped, "" is a blank line."""
    from rich.console import Group

    return Group(*(item for item in items if item is not None))


def short(revisions: Sequence[str]) -> str:
    return ", ".join(r[:12] for r in revisions) if revisions else "(base)"


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to the workspace ``root`` when inside it, for people to read."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
