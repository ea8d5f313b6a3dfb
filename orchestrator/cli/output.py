"""What a command hands back, and the one JSON envelope every command's ``--json`` prints.

A command returns an :class:`Output`: its payload (JSON-ready, the command's own fields), how a
person sees it, its exit code and its verdict. The CLI prints either the envelope (docs/json.md)
or the human rendering; errors, whatever the command, become the same envelope with ``ok``
false and the error in ``errors``.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The version of the JSON interface of every command (docs/json.md). Fields are only added
#: within a version; renaming or removing one bumps it. Version 1 was the per-command JSON
#: before the envelope.
JSON_SCHEMA_VERSION = 2

#: The envelope's own keys, in the order they are printed; a payload may not reuse them.
ENVELOPE_KEYS = ("schema_version", "command", "ok", "exit_code", "verdict", "database")


@dataclass
class Output:
    """A command's result: what ``--json`` prints, what a person sees, the exit code.

    ``payload`` may carry ``database`` and ``verdict`` (as the library's ``to_dict()`` often
    does): they are lifted into the envelope. ``human`` returns the text (or a rich renderable)
    a person reads; None prints nothing. ``error``: a refusal the command reports with its
    payload (a merge's conflicts): told on stderr, and in the envelope's ``errors``.
    """

    payload: dict[str, Any] = field(default_factory=dict)
    human: Callable[[], Any] | None = None
    exit_code: int = 0
    verdict: str | None = None
    database: Mapping[str, Any] | None = None
    error: BaseException | None = None
    force_json: bool = False  # the envelope even without --json (``graph --format json``)


@dataclass(frozen=True)
class ErrorReport:
    """One error of the ``errors`` list: what is wrong (first line), then the details."""

    code: str
    message: str
    details: tuple[str, ...] = ()
    exit_code: int = 2

    @classmethod
    def of(cls, code: str, text: str, exit_code: int) -> ErrorReport:
        """From a message whose first line says what is wrong; secrets hidden."""
        from orchestrator.core.errors import split_message
        from orchestrator.core.redaction import redact

        first, details = split_message(redact(text))
        return cls(code, first, details, exit_code)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": list(self.details)}


def envelope(command: str | None, output: Output, root: Path | None = None,
             errors: list[ErrorReport] | None = None) -> dict[str, Any]:
    """The JSON document of a command's run: the envelope keys, the payload, ``errors``."""
    payload = dict(output.payload)
    payload.pop("schema_version", None)
    database = payload.pop("database", output.database)
    verdict = payload.pop("verdict", output.verdict)
    clash = sorted(set(payload) & {*ENVELOPE_KEYS, "errors"})
    if clash:
        raise ValueError(f"the payload of {command!r} reuses envelope key(s) {clash}")
    if errors and verdict is None:
        verdict = "error"
    document = {
        "schema_version": JSON_SCHEMA_VERSION,
        "command": command,
        "ok": output.exit_code == 0,
        "exit_code": output.exit_code,
        "verdict": verdict if verdict is not None else ("ok" if output.exit_code == 0
                                                        else "problems"),
        "database": dict(database) if database is not None else None,
        **payload,
        "errors": [e.to_dict() for e in errors or ()],
    }
    return relative_paths(document, root) if root is not None else document


def error_envelope(command: str | None, error: ErrorReport, root: Path | None = None
                   ) -> dict[str, Any]:
    return envelope(command, Output(exit_code=error.exit_code), root, [error])


def relative_paths(value: Any, root: Path) -> Any:
    """Every string that is an absolute path inside ``root`` made relative to it (POSIX)."""
    prefix = root.as_posix().rstrip("/") + "/"

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return item[len(prefix):] if item.startswith(prefix) else item
        if isinstance(item, Path):
            return walk(item.as_posix())
        if isinstance(item, dict):
            return {key: walk(inner) for key, inner in item.items()}
        if isinstance(item, list | tuple):
            return [walk(inner) for inner in item]
        return item

    return walk(value)


def dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, default=str)
