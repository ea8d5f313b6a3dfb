"""The ``orchestrate`` process: run the command line, then end without tearing the heap down.

Once a command has printed its answer and closed its connections, nothing remains to do but
free memory the operating system reclaims anyway: on a 5,000-table workspace the interpreter's
shutdown (destroying every model, reflected table and module) took seconds. So the console
script (and ``python -m orchestrator``) flushes what was written, runs the ``atexit``
handlers, waits for any non-daemon thread as the interpreter would, and calls ``os._exit``
with the command's exit code. The garbage collector is told the process ends after the
command (:func:`orchestrator.core.gc_tuning.process_exits_after`), so no last collection runs.

Only the process entry points do this: :data:`orchestrator.cli.main` (what tests and a program
embedding the CLI call) returns or raises ``SystemExit`` as any click program does.
"""
from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


def run_process() -> NoReturn:
    """The console script's entry point."""
    from orchestrator.cli import main
    from orchestrator.core.gc_tuning import process_exits_after

    process_exits_after()
    try:
        main(prog_name="orchestrate")  # also under `python -m orchestrator`
        code: object = 0
    except SystemExit as done:
        code = done.code
    fast_exit(code)


def fast_exit(code: object) -> NoReturn:
    """End the process now with ``code`` (as ``SystemExit`` reads it), output flushed."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # SystemExit("message"): printed, exit 1, as the interpreter does
        print(code, file=sys.stderr)
        status = 1
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # logging's flush and any library's own clean-up
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # reader gone, or stream closed: nothing to say
            pass
    os._exit(status)
