"""Ctrl-C while steps are applied: roll the running step back, record it, then stop.

Left to asyncio, a Ctrl-C cancels whatever the runner awaits at that moment, often a statement
in the middle of the step; SQLAlchemy then has to throw the connection away, and with it the
session that holds the migration lock, so the step's end could not be recorded. Instead, while
steps are applied, the first Ctrl-C only asks the runner to stop: the step's code runs on, the
step is rolled back where it would have committed, the ledger says "interrupted", exit 130. A
second Ctrl-C stops at once (the next runner reconciles the ledger from the version tables).
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from orchestrator.core.logs import get_logger

log = get_logger()


class StepInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped the runner at a step, which was rolled back (the ones before stay)."""

    def __init__(self, service: str, revision: str, position: int,
                 committed: Sequence[str] = ()) -> None:
        kept = (f"{len(committed)} of its statements had committed on their own (no "
                f"transactional DDL here) and stay applied: {'; '.join(committed)}; the rest "
                "was rolled back" if committed else "that step was rolled back")
        super().__init__(
            f"interrupted (Ctrl-C) at step {position} (service {service!r}, revision "
            f"{revision}): {kept}; the steps before it stay applied")
        self.service = service
        self.revision = revision
        self.position = position


class StopRequest:
    """Whether Ctrl-C asked the runner to stop."""

    def __init__(self) -> None:
        self.requested = False

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` once a stop was asked for."""
        if self.requested:
            raise KeyboardInterrupt("Ctrl-C")


@contextmanager
def stop_at_step_boundaries() -> Iterator[StopRequest]:
    """Within the block, Ctrl-C sets ``requested`` (once) instead of interrupting."""
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop  # signals reach the main thread only: nothing to take over
        return

    def ask(_signum: int, _frame: FrameType | None) -> None:
        if stop.requested:
            raise KeyboardInterrupt("Ctrl-C twice")
        stop.requested = True
        log.warning("Ctrl-C: the running step will be rolled back, then the run stops "
                    "(press Ctrl-C again to stop at once)")

    previous = signal.signal(signal.SIGINT, ask)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
