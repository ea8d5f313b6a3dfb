"""Progress of a running train on a terminal: one line, redrawn in place, through rich.

``[3/120] orders b7e3d90f1c56 add status column ━━━━━━╸━━━━━ 00:42 elapsed, this step 12s`` on
stderr, and only when stderr is a terminal and no per-step log lines are shown already (``-v``).
rich redraws it from its own thread, so the clocks keep going while a long step holds the event
loop; the line is gone when the run ends. rich is imported only when the line is shown.
"""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from orchestrator.runtime.sequencer import Step

if TYPE_CHECKING:
    from rich.progress import Progress as Bar


class Progress:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.total = 0
        self.started = self.step_started = time.monotonic()
        self.current: tuple[int, Step] | None = None
        self._bar: Bar | None = None
        self._task: Any = None

    @classmethod
    def for_terminal(cls, stream: TextIO | None = None) -> Progress | None:
        stream = stream or sys.stderr
        if not stream.isatty() or logging.getLogger("orchestrate").isEnabledFor(logging.INFO):
            return None
        return cls(stream)

    @contextmanager
    def running(self, total: int) -> Iterator[None]:
        """Show the line while the ``with`` block runs; clear it afterwards."""
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn
        from rich.progress import Progress as Bar

        self.total = total
        self.started = time.monotonic()
        console = Console(file=self.stream, force_terminal=True, highlight=False, markup=False,
                          emoji=False)
        bar = Bar(TextColumn("{task.description}", markup=False), BarColumn(bar_width=16),
                  _clocks_column(self), console=console, transient=True, refresh_per_second=1,
                  redirect_stdout=False, redirect_stderr=False)
        self._task = bar.add_task("", total=max(total, 1))
        self._bar = bar
        try:
            with bar:
                yield
        finally:
            self._bar = None

    def step(self, position: int, step: Step) -> None:
        self.current = (position, step)
        self.step_started = time.monotonic()
        if self._bar is not None:
            self._bar.update(self._task, completed=position - 1, description=self.line(),
                             refresh=True)

    def line(self) -> str:
        """The current step, as the line starts: ``[3/120] orders b7e3d90f1c56 message``."""
        if self.current is None:
            return ""
        position, step = self.current
        return f"[{position}/{self.total}] {step.service} {step.revision} {step.message}"

    def clocks(self) -> str:
        now = time.monotonic()
        elapsed = int(now - self.started)
        return (f"{elapsed // 60:02d}:{elapsed % 60:02d} elapsed, this step "
                f"{now - self.step_started:.0f}s")


def _clocks_column(progress: Progress) -> Any:
    """The clocks, as a rich column (defined once rich is imported)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Clocks(ProgressColumn):
        def render(self, task: Any) -> Text:
            return Text(progress.clocks())

    return Clocks()
