"""The command group, the options every command shares, and how a command runs.

A command is declared on :data:`main` (or on a group under it, such as ``train``)::

    @main.command()
    @click.argument("service")
    def thing(orch: Orchestration, service: str) -> Output:
        from orchestrator.thing import do_thing   # the library, imported when the command runs
        result = run(do_thing, orch, service)
        return Output(result.to_dict(), human=lambda: render_thing(result),
                      exit_code=0 if result.clean else 1, verdict=result.verdict)

It receives the :class:`Orchestration` of ``--root`` and ``--database-url`` first (declare it
with ``workspace=False`` to receive nothing: a command that makes a workspace), calls one
library function and returns an :class:`Output`. Everything else is done here, alike for every
command: the global options (before or after the command name), logging, the JSON envelope of
``--json`` (errors included), human output, error messages and exit codes.
"""
from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from orchestrator.cli.output import ErrorReport, Output, dumps, envelope, error_envelope
from orchestrator.cli.render import echo_error, echo_human

if TYPE_CHECKING:
    from orchestrator.runtime.orchestration import Orchestration

INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


@dataclass(frozen=True)
class GlobalOptions:
    """The options every command accepts, before or after its name."""

    root: Path | None = None
    database_url: str | None = None
    log_format: str = "auto"
    verbose: int = 0
    json: bool = False
    color: str = "auto"


_META_KEY = "orchestrate.global_options"


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Record a global option wherever it was given; the one nearest the command wins."""
    given: dict[str, Any] = ctx.meta.setdefault(_META_KEY, {})
    name = param.name or ""
    if name == "verbose":
        given[name] = given.get(name, 0) + (value or 0)
    elif name == "json":
        given[name] = given.get(name, False) or value
    elif ctx.get_parameter_source(name) is not ParameterSource.DEFAULT:
        given[name] = value


#: Defined once; every group and command of the CLI carries them (``expose_value=False``: the
#: values reach :func:`global_options`, not the command's arguments).
GLOBAL_OPTIONS: tuple[click.Option, ...] = (
    click.Option(["--root"], type=click.Path(file_okay=False, path_type=Path), default=None,
                 expose_value=False, callback=_remember,
                 help="Workspace folder (default: nearest upward with [tool.orchestrate])."),
    click.Option(["--database-url"], default=None, metavar="URL", expose_value=False,
                 callback=_remember,
                 help="Database URL (overrides ORCHESTRATE_DATABASE_URL and pyproject)."),
    click.Option(["--log-format"], type=click.Choice(["auto", "pretty", "json", "plain"]),
                 default="auto", show_default=True, expose_value=False, callback=_remember,
                 help="Format of log lines on stderr."),
    click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_remember,
                 help="More log output (-vv for debug)."),
    click.Option(["--json"], is_flag=True, expose_value=False, callback=_remember,
                 help="Machine-readable output: one JSON document (docs/json.md)."),
    click.Option(["--color"], type=click.Choice(["auto", "always", "never"]), default="auto",
                 show_default=True, expose_value=False, callback=_remember,
                 help="Colour in human output (auto: on a terminal, unless NO_COLOR is set)."),
)
_GLOBAL_NAMES = {option.name for option in GLOBAL_OPTIONS}


def global_options(ctx: click.Context | None = None) -> GlobalOptions:
    ctx = ctx or click.get_current_context()
    return GlobalOptions(**ctx.meta.get(_META_KEY, {}))


def command_name(ctx: click.Context) -> str:
    """``plan``, ``train run``: the command as typed, without the program's name."""
    return " ".join(ctx.command_path.split()[1:])


def run(coroutine_function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one coroutine of the library to completion (commands are synchronous)."""
    import anyio

    return anyio.run(functools.partial(coroutine_function, *args, **kwargs))


def sql_stream() -> Callable[[str], None] | None:
    """Where ``--sql`` prints each step's SQL as soon as it is rendered: stdout, for a person;
    None under ``--json`` (the script goes into the document)."""
    if global_options().json:
        return None
    return lambda chunk: click.echo(chunk, nl=False)


wait_option = click.option(
    "--wait", type=click.FloatRange(min=0), default=0.0, show_default=True, metavar="SECONDS",
    help="How long to wait for another runner (a train, an upgrade) to finish with the database.")


tenant_option = click.option(
    "--tenant", metavar="NAME|all", default=None,
    help="Schema-per-tenant: work on this tenant only (default: every tenant, in turn).")


def comparison_options(command: Callable[..., Output]) -> Callable[..., Output]:
    """``--no-cache`` and ``--processes`` for a command that compares models (check, plan)."""

    @click.option("--no-cache", is_flag=True,
                  help="Compare every service, even those found clean last time with the "
                       "same models and database (.orchestrate/comparisons).")
    @click.option("--processes", type=click.IntRange(min=1), default=None, metavar="N",
                  help="Processes comparing at once (default: one per core, for big "
                       "comparisons).")
    @functools.wraps(command)
    def configured(orch: Orchestration, *args: Any, no_cache: bool, processes: int | None,
                   **kwargs: Any) -> Output:
        from orchestrator.runtime.orchestration import ComparisonOptions

        orch.comparison = ComparisonOptions(cache=not no_cache, processes=processes)
        return command(orch, *args, **kwargs)

    return configured


class _GlobalHelp:
    """``--help`` lists a command's own options, then the global ones under their own title."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        own, shared = [], []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is not None:
                (shared if param.name in _GLOBAL_NAMES else own).append(record)
        if own:
            with formatter.section("Options"):
                formatter.write_dl(own)
        if shared:
            with formatter.section("Global options (before or after the command)"):
                formatter.write_dl(shared)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class OrchestrateCommand(_GlobalHelp, click.Command):
    """A command of the CLI: global options, the Orchestration, output, errors, exit code."""

    def __init__(self, *args: Any, workspace: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.params.extend(GLOBAL_OPTIONS)

    def invoke(self, ctx: click.Context) -> None:
        options = global_options(ctx)
        name = command_name(ctx)
        from orchestrator.core.logs import configure_logging

        configure_logging(options.log_format, options.verbose)
        root = options.root
        try:
            output = self._call(ctx, options)
            if not isinstance(output, Output):
                raise TypeError(f"command {name!r} returned {type(output).__name__}, "
                                "not an Output (see orchestrator/cli/app.py)")
            root = getattr(ctx, "orchestrate_root", root)
            refusal = error_report(output.error) if output.error is not None else None
            if options.json or output.force_json:
                click.echo(dumps(envelope(name, output, root, [refusal] if refusal else None)))
            elif output.human is not None:
                echo_human(output.human(), options.color)
            if refusal is not None:
                echo_error(refusal.message, refusal.details, options.color)
        except BrokenPipeError:  # `orchestrate plan | head`: the reader left, nothing to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except (click.exceptions.Exit, click.ClickException):
            raise
        except BaseException as error:  # noqa: BLE001  (every failure is reported one way)
            report = error_report(error)
            if report is None:
                raise
            fail(name, report, options, getattr(ctx, "orchestrate_root", root))
        raise click.exceptions.Exit(output.exit_code)

    def _call(self, ctx: click.Context, options: GlobalOptions) -> Any:
        from orchestrator.core.gc_tuning import paced_collections

        # One short-lived process: what it loads lives until it exits, so the collector is
        # paced for the whole command (gc_tuning), not per library call.
        with paced_collections():
            if not self.workspace:
                return ctx.invoke(self.callback, **ctx.params)  # type: ignore[arg-type]
            from orchestrator.runtime.orchestration import Orchestration

            orch = Orchestration.open(options.root, options.database_url)
            ctx.orchestrate_root = orch.workspace.root  # type: ignore[attr-defined]
            return ctx.invoke(self.callback, orch, **ctx.params)  # type: ignore[arg-type]


def error_report(error: BaseException) -> ErrorReport | None:
    """How ``error`` is told to the user (secrets hidden); None for what must propagate."""
    from orchestrator.core.errors import OrchestrateError, error_code

    code, exit_code = "internal-error", 3
    if isinstance(error, OrchestrateError):
        code, exit_code = error_code(error), error.exit_code
        text = error.message
    elif isinstance(error, KeyboardInterrupt):
        code, exit_code = "interrupted", INTERRUPTED
        from orchestrator.core.interrupts import StepInterrupted

        # a step's interruption says which step was rolled back; elsewhere nothing was applying
        text = str(error) if isinstance(error, StepInterrupted) else "interrupted (Ctrl-C)"
    elif _is_dbapi_error(error):
        code = "database-error"
        text = f"database error: {error.orig}"  # type: ignore[attr-defined]
    elif isinstance(error, Exception):  # a bug: say so plainly, traceback only on request
        if os.environ.get("ORCHESTRATE_DEBUG"):
            import traceback

            traceback.print_exc()
        text = (f"internal error: {type(error).__name__}: {error}\n"
                "set ORCHESTRATE_DEBUG=1 for the traceback")
    else:
        return None
    return ErrorReport.of(code, text, exit_code)


def _is_dbapi_error(error: BaseException) -> bool:
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")  # never loaded: cannot be one
    return sqlalchemy_exc is not None and isinstance(error, sqlalchemy_exc.DBAPIError)


def fail(command: str | None, report: ErrorReport, options: GlobalOptions,
         root: Path | None = None) -> None:
    """Tell the error (stderr; and the envelope on stdout with ``--json``), then exit."""
    if options.json:
        click.echo(dumps(error_envelope(command, report, root)))
    echo_error(report.message, report.details, options.color)
    raise click.exceptions.Exit(report.exit_code)


class OrchestrateGroup(_GlobalHelp, click.Group):
    """The command groups: global options, "did you mean", usage errors as JSON too."""

    command_class = OrchestrateCommand
    group_class = type  # subgroups (``train``) are OrchestrateGroups as well

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(GLOBAL_OPTIONS)

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if args and self.get_command(ctx, name) is None and not name.startswith("-"):
            from orchestrator.core.errors import did_you_mean

            known = self.list_commands(ctx)
            raise click.UsageError(f"no such command {name!r}{did_you_mean(name, known)}\n"
                                   f"the commands are: {', '.join(known)}", ctx)
        return super().resolve_command(ctx, args)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        wants_json = "--json" in argv[:argv.index("--")] if "--" in argv else "--json" in argv
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as done:  # raised by `fail` while parsing nothing
            code = done.exit_code
        except click.ClickException as error:
            code = self._usage_error(error, wants_json)
        except click.Abort:
            options = GlobalOptions(json=wants_json)
            try:
                fail(None, ErrorReport.of("interrupted", "interrupted (Ctrl-C)", INTERRUPTED),
                     options)
            except click.exceptions.Exit as done:
                code = done.exit_code
        sys.exit(code if isinstance(code, int) else 0)

    @staticmethod
    def _usage_error(error: click.ClickException, wants_json: bool) -> int:
        ctx = getattr(error, "ctx", None)
        command = command_name(ctx) if ctx is not None else None
        text = error.format_message()
        if ctx is not None and isinstance(error, click.UsageError):
            text += f"\nsee `{ctx.command_path} --help`"
        report = ErrorReport.of("usage-error", text, error.exit_code)
        try:
            fail(command or None, report, GlobalOptions(json=wants_json))
        except click.exceptions.Exit as done:
            return done.exit_code
        return error.exit_code


@click.group(cls=OrchestrateGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="orchestrate")
def main() -> None:
    """Run Alembic migrations for a monorepo of services sharing one database."""


__all__ = ["GLOBAL_OPTIONS", "GlobalOptions", "Output", "comparison_options", "global_options",
           "main", "run", "sql_stream", "tenant_option",
           "wait_option"]
