"""Errors that carry the facts a user needs, and the exit code each one maps to.

Every error raised on purpose by orchestrate derives from :class:`OrchestrateError`; the CLI
prints its message as one paragraph (no traceback) and exits with its ``exit_code``.
"""
from __future__ import annotations


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


class UnknownService(ConfigError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"unknown service {name!r}; the workspace has: {', '.join(known) or '(none)'}"
        )
        self.name = name


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


class NamingConventionMismatch(ConfigError):
    """Services disagree on the MetaData naming convention."""


class RevisionError(ConfigError):
    """A revision file or a revision reference is wrong (unknown, cyclic, malformed)."""


class GraphCycleError(ConfigError):
    """The service graph or the revision DAG has a cycle."""


class DatabaseError(OrchestrateError):
    """The database could not be reached, or a statement failed at run time (exit 3)."""

    exit_code = 3


class MigrationFailed(DatabaseError):
    """A revision failed while it was applied; its transaction was rolled back."""

    def __init__(self, service: str, revision: str, error: BaseException) -> None:
        super().__init__(
            f"service {service!r}: revision {revision} failed and was rolled back: "
            f"{type(error).__name__}: {error}"
        )
        self.service = service
        self.revision = revision
        self.error = error


class UnsafeToCompare(ConfigError):
    """A service's database is not at its head: comparing it with the models would mislead."""


class GenerationRefused(ConfigError):
    """Generating revisions now would write wrong ones; the message says why and what to do."""
