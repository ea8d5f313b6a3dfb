"""Errors that carry the facts a user needs, and the exit code each one maps to.

Every error raised on purpose by orchestrate derives from :class:`OrchestrateError`; the CLI
prints its message as one paragraph (no traceback) and exits with its ``exit_code``.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

#: SQLAlchemy's pointer to its error catalogue: noise for orchestrate's users.
_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


class OrchestrateError(Exception):
    """Base class: a problem explained to the user."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(OrchestrateError):
    """Bad input or configuration: a file, a setting, an argument (exit 2)."""


class WorkspaceNotFound(ConfigError):
    """No ``pyproject.toml`` with ``[tool.orchestrate]`` was found."""


class ServiceConfigError(ConfigError):
    """A service's ini file is missing, malformed or incomplete."""

    def __init__(self, path: object, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class WouldOverwrite(ConfigError):
    """Scaffolding found a file where it would write one: nothing is overwritten."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"refusing to overwrite {path}\n{reason}")
        self.path = path


class UnknownService(ConfigError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown service {name!r}" + did_you_mean(name, known)
                         + f"\nthe workspace has: {', '.join(known) or '(none)'}")
        self.name = name


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"\ndid you mean: orders?"`` when ``word`` is close to some of ``known``; else ``""``."""
    close = difflib.get_close_matches(word, list(known), n=3, cutoff=0.6)
    return f"\ndid you mean: {' or '.join(close)}?" if close else ""


def unknown_keys(place: str, unknown: Sequence[str], known: Iterable[str]) -> str:
    """What is wrong on the first line (``place has unknown key 'x'``), then a "did you mean"
    per key that is close to a known one, then the known keys."""
    choices = sorted(known)
    lines = [f"{place} has unknown key{'s' if len(unknown) > 1 else ''} "
             + ", ".join(repr(key) for key in unknown)]
    for key in unknown:
        suggestion = did_you_mean(key, choices).strip()
        if suggestion:
            lines.append(suggestion if len(unknown) == 1 else f"{key!r}: {suggestion}")
    lines.append(f"known keys: {', '.join(choices)}")
    return "\n".join(lines)


class ModelImportError(ConfigError):
    """A service's models package failed to import."""

    def __init__(self, service: str, module: str, filename: str | None, lineno: int | None,
                 error: BaseException) -> None:
        where = f"{filename}:{lineno}" if filename else module
        super().__init__(
            f"service {service!r}: importing {module} failed at {where}: "
            f"{type(error).__name__}: {error}"
        )
        self.service = service
        self.filename = filename
        self.lineno = lineno


class OwnershipError(ConfigError):
    """A table is claimed by two services, or a service owns no table."""


class RevisionError(ConfigError):
    """A revision file or a revision reference is wrong (unknown, cyclic, malformed)."""


class LegacyVersionTable(ConfigError):
    """The database holds a version table of no service: it must be adopted first."""


class GraphCycleError(ConfigError):
    """The service graph or the revision DAG has a cycle."""


class DatabaseError(OrchestrateError):
    """The database could not be reached, or a statement failed at run time (exit 3)."""

    exit_code = 3
    #: What the command had done when it stopped (the library call's result so far: the steps
    #: that committed, the SQL rendered), set by the call that stopped; None: nothing.
    result: object | None = None


class DatabaseMissing(DatabaseError):
    """The database the URL names does not exist (the driver's own error code said so)."""


def describe_error(error: BaseException) -> str:
    """``IntegrityError: ...``: an exception as users read it, never with SQLAlchemy's
    "(Background on this error at ...)" link (its SQL and parameters are kept)."""
    return f"{type(error).__name__}: {_BACKGROUND.sub('', str(error)).strip()}"


class MigrationFailed(DatabaseError):
    """A revision failed while it was applied; its transaction was rolled back."""

    def __init__(self, service: str, revision: str, error: BaseException,
                 caught: BaseException | None = None) -> None:
        message = (f"service {service!r}: revision {revision} failed and was rolled back: "
                   f"{describe_error(error)}")
        if caught is not None:
            # PostgreSQL refuses every statement after an error the revision swallowed
            # (try/except around op calls): the one that failed first is the cause
            message += ("\n  an earlier statement of the revision failed and the revision "
                        f"caught the error and went on: {describe_error(caught)}")
        super().__init__(message)
        self.service = service
        self.revision = revision
        self.error = error
        self.caught = caught


class OfflineRenderFailed(DatabaseError):
    """A revision could not be rendered as SQL offline (``--sql``).

    ``sql`` is what the steps before it rendered; nothing of the failing step is in it.
    """

    def __init__(self, service: str, revision: str, position: int, where: str,
                 error: BaseException, sql: str) -> None:
        super().__init__(
            f"--sql stopped at step {position}: service {service!r}, revision {revision} "
            f"({where}) cannot be rendered as SQL offline: {describe_error(error)}\n"
            "the SQL printed is that of the steps before it, nothing of this one. A revision "
            "that reads the database (rows through op.get_bind(), what op.execute() returns) "
            "can only run online: apply the SQL printed, then run this step without --sql"
        )
        self.service = service
        self.revision = revision
        self.position = position
        self.where = where
        self.error = error
        self.sql = sql


class StepPartiallyApplied(MigrationFailed):
    """A revision failed on a database without transactional DDL (MySQL, MariaDB) after some
    of its statements had committed: those stay applied, only the rest was rolled back."""

    def __init__(self, service: str, revision: str, error: BaseException,
                 committed: Sequence[str]) -> None:
        DatabaseError.__init__(
            self,
            f"service {service!r}: revision {revision} failed after {len(committed)} of its "
            "statements had committed (each DDL statement commits on this database), so it "
            f"is partly applied: {'; '.join(committed)}. Only what followed the last of them "
            f"was rolled back. The error: {type(error).__name__}: {error}"
        )
        self.service = service
        self.revision = revision
        self.error = error
        self.committed = list(committed)


class PartialStepUnresolved(ConfigError):
    """A step was left partly applied; nothing more runs until a person resolves it (exit 2)."""


class LockLost(DatabaseError):
    """This runner no longer holds the migration lock; it must not apply another step."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"this runner lost the migration lock: {reason}")
        self.reason = reason


class RunnerStopped(DatabaseError):
    """The runner stopped at a step it did not apply: its lock or its connection was lost.

    Nothing more is written by this runner (another one may own the database by now).
    """

    def __init__(self, message: str, service: str, revision: str, position: int) -> None:
        super().__init__(message)
        self.service = service
        self.revision = revision
        self.position = position


class UnsafeToCompare(ConfigError):
    """A service's database is not at its head: comparing it with the models would mislead."""


class GenerationRefused(ConfigError):
    """Generating revisions now would write wrong ones; the message says why and what to do."""


def error_code(error: OrchestrateError) -> str:
    """The stable kebab-case code of an error's class: ``UnknownService`` -> ``unknown-service``."""
    return _CAMEL.sub("-", type(error).__name__).lower()


def split_message(text: str) -> tuple[str, tuple[str, ...]]:
    """The first line (what is wrong) and the following lines (details, place, fix).

    SQLAlchemy's "(Background on this error at ...)" links are dropped; blank lines too.
    """
    lines = [line.rstrip() for line in _BACKGROUND.sub("", text).splitlines() if line.strip()]
    return (lines[0] if lines else ""), tuple(lines[1:])
