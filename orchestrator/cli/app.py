"""The command group, the options every command shares, and how errors become exit codes.

Each command lives in the module of its command group beside its human rendering
(``cli/plan.py``, ``cli/trains.py``, ...): it parses, calls one library function, renders.
"""
from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import click
from sqlalchemy.exc import DBAPIError

from orchestrator.cli.render import style
from orchestrator.core.errors import OrchestrateError
from orchestrator.core.gc_tuning import paced_collections
from orchestrator.core.logs import configure_logging
from orchestrator.core.redaction import redact
from orchestrator.runtime.orchestration import Orchestration


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--root, --database-url and --log-format on every command; errors mapped to exit codes."""

    @click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Workspace folder (default: nearest upward with [tool.orchestrate]).")
    @click.option("--database-url", default=None, metavar="URL",
                  help="Database URL (overrides ORCHESTRATE_DATABASE_URL and pyproject).")
    @click.option("--log-format", type=click.Choice(["auto", "pretty", "json", "plain"]),
                  default="auto", show_default=True, help="Format of log lines on stderr.")
    @click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
    @functools.wraps(func)
    def wrapper(root: Path | None, database_url: str | None, log_format: str, verbose: int,
                **kwargs: Any) -> None:
        configure_logging(log_format, verbose)
        try:
            # One short-lived process: what it loads lives until it exits, so the collector
            # is paced for the whole command (gc_tuning), not per library call.
            with paced_collections():
                orch = Orchestration.open(root, database_url)
                code = func(orch, **kwargs)
        except OrchestrateError as error:
            _fail(error.message, error.exit_code)
        except DBAPIError as error:
            _fail(f"database error: {error.orig}", 3)
        except BrokenPipeError:  # `orchestrate plan | head`: the reader left, nothing to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as error:  # a bug: say so plainly, traceback only on request
            if os.environ.get("ORCHESTRATE_DEBUG"):
                traceback.print_exc()
            _fail(f"internal error: {type(error).__name__}: {error} "
                  "(set ORCHESTRATE_DEBUG=1 for the traceback)", 3)
        sys.exit(code or 0)

    return wrapper


def _fail(message: str, code: int) -> None:
    click.echo(style("error: ", fg="red", bold=True) + redact(message), err=True)
    sys.exit(code)


def run(coroutine_function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return anyio.run(functools.partial(coroutine_function, *args, **kwargs))


json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
wait_option = click.option(
    "--wait", type=click.FloatRange(min=0), default=0.0, show_default=True, metavar="SECONDS",
    help="How long to wait for another runner (a train, an upgrade) to finish with the database.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="orchestrate")
def main() -> None:
    """Run Alembic migrations for a monorepo of services sharing one database."""
