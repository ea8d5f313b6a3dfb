"""``python -m orchestrator`` and the ``orchestrate`` console script.

The command line is imported inside :func:`run`, so a Ctrl-C while it loads is exit 130 and
one line, as it is once a command runs, never a traceback.
"""
from __future__ import annotations

import os
import sys
from typing import NoReturn


def run() -> NoReturn:
    try:
        from orchestrator.cli.process import run_process
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted (Ctrl-C)\n")
        os._exit(130)
    run_process()


if __name__ == "__main__":
    run()
