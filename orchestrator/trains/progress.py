"""Progress of a running train on a terminal: one line, redrawn in place every second.

``[3/120] orders b7e3d90f1c56 add status column | 00:42 elapsed, this step 12s``; on stderr, and
only when stderr is a terminal and no per-step log lines are shown already (``-v``). A thread
redraws it, so the time keeps going while a long step holds the event loop or the GIL-free DB.
"""
from __future__ import annotations

import logging
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from orchestrator.runtime.sequencer import Step


class Progress:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.total = 0
        self.started = self.step_started = time.monotonic()
        self.current: tuple[int, Step] | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_terminal(cls, stream: TextIO | None = None) -> Progress | None:
        stream = stream or sys.stderr
        if not stream.isatty() or logging.getLogger("orchestrate").isEnabledFor(logging.INFO):
            return None
        return cls(stream)

    @contextmanager
    def running(self, total: int) -> Iterator[None]:
        """Show the line while the ``with`` block runs; clear it afterwards."""
        self.total = total
        self.started = time.monotonic()
        stop = threading.Event()
        ticker = threading.Thread(target=self._tick, args=(stop,), daemon=True)
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            ticker.join()
            with self._lock:
                self.stream.write("\r\x1b[K")
                self.stream.flush()

    def step(self, position: int, step: Step) -> None:
        self.current = (position, step)
        self.step_started = time.monotonic()
        self.draw()

    def line(self) -> str:
        if self.current is None:
            return ""
        position, step = self.current
        now = time.monotonic()
        elapsed = int(now - self.started)
        return (f"[{position}/{self.total}] {step.service} {step.revision} {step.message} | "
                f"{elapsed // 60:02d}:{elapsed % 60:02d} elapsed, this step "
                f"{now - self.step_started:.0f}s")

    def draw(self) -> None:
        width = shutil.get_terminal_size((100, 20)).columns - 1
        with self._lock:
            self.stream.write("\r\x1b[K" + self.line()[:width])
            self.stream.flush()

    def _tick(self, stop: threading.Event) -> None:
        while not stop.wait(1):
            self.draw()
