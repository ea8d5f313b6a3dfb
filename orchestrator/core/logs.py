"""Logging, configured in one place: structlog to stderr, stdlib (Alembic's) routed through it.

Pretty on a terminal, JSON with ``--log-format json``, plain key=value otherwise. A processor
hides every secret (``redaction.redact``) in whatever reaches a log line.
"""
from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from orchestrator.core.redaction import redact_data


def _redact(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    return {key: redact_data(value) for key, value in event.items()}


def configure_logging(log_format: str = "auto", verbose: int = 0) -> None:
    """``log_format``: ``auto`` (pretty on a terminal), ``pretty``, ``json`` or ``plain``."""
    if log_format == "auto":
        log_format = "pretty" if sys.stderr.isatty() else "plain"
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose == 1 else logging.WARNING
    if log_format == "json":
        renderer: Any = structlog.processors.JSONRenderer()
    elif log_format == "pretty":
        renderer = structlog.dev.ConsoleRenderer(colors=True)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic's "Running upgrade ..." lines only with -v: orchestrate reports steps itself.
    logging.getLogger("alembic").setLevel(level)


def get_logger(name: str = "orchestrate") -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
