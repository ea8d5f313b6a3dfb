"""A lint finding: which rule fired, where (service, revision, file, line), on what object."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class LintFinding:
    """One problem in one revision.

    ``message`` is one line that names the revision, the line and the object, so it reads on
    its own (in ``plan``, in ``generate``'s output, in a CI log); ``fix`` says what to do.
    """

    code: str
    severity: Severity
    service: str
    revision: str
    path: Path
    line: int
    object: str | None
    detail: str
    fix: str
    #: The reason given by the suppression comment that silenced this finding, if one did.
    suppressed_by: str | None = None

    @property
    def message(self) -> str:
        return f"{self.service}:{self.revision} line {self.line}: {self.detail}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict:
        data = {
            "code": self.code,
            "severity": self.severity.value,
            "service": self.service,
            "revision": self.revision,
            "path": str(self.path),
            "line": self.line,
            "object": self.object,
            "message": self.message,
            "fix": self.fix,
        }
        if self.suppressed_by is not None:
            data["reason"] = self.suppressed_by
        return data
