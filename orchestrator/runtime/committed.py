"""What a failed step left committed where DDL is not transactional (MySQL, MariaDB).

There every DDL statement commits, implicitly, the transaction it runs in and itself: a
revision that fails half-way leaves applied whatever it ran up to its last DDL statement, DML
before it included, whatever the transaction orchestrate wrapped the step in says. While a
step runs on such a database, every statement the revision's own code executes is recorded
(with the line of the revision that issued it: Alembic's and orchestrate's bookkeeping are
left out); when the step fails, :meth:`StatementRecorder.committed` is what stays. The ledger
records those statements and calls the step ``partial``: it never claims a rollback that did
not happen (``runtime.ledger``).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import event
from sqlalchemy.engine import Connection

from orchestrator.history.sql import classify

#: Backends whose DDL statements commit on their own.
NON_TRANSACTIONAL_DDL = frozenset({"mysql", "mariadb"})


def transactional_ddl(dialect_name: str) -> bool:
    return dialect_name not in NON_TRANSACTIONAL_DDL


@dataclass(frozen=True)
class ExecutedStatement:
    """A statement a revision ran: the line of the revision that issued it, and its SQL."""

    line: int | None
    sql: str
    commits: bool  # a DDL statement: it commits what ran before it, and itself

    def describe(self, width: int = 120) -> str:
        text = " ".join(self.sql.split())
        text = text if len(text) <= width else text[:width - 3] + "..."
        return f"line {self.line}: {text}" if self.line else text

    def to_dict(self) -> dict:
        return {"line": self.line, "sql": self.sql}


class StatementRecorder:
    """Records, for the ``with`` block, the statements the revision at ``path`` executes on
    ``connection`` and succeed."""

    def __init__(self, connection: Connection, path: str, dialect_name: str) -> None:
        self.connection = connection
        self.path = os.path.realpath(path)
        self.dialect = dialect_name
        self.executed: list[ExecutedStatement] = []
        self._files: dict[str, bool] = {}

    def __enter__(self) -> StatementRecorder:
        event.listen(self.connection, "after_cursor_execute", self._after_execute)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        event.remove(self.connection, "after_cursor_execute", self._after_execute)

    def committed(self) -> list[ExecutedStatement]:
        """The statements that stay applied: up to and including the last DDL statement."""
        last = max((n for n, s in enumerate(self.executed) if s.commits), default=-1)
        return self.executed[:last + 1]

    def _after_execute(self, _conn, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
        line = self._revision_line()
        if line is None:
            return  # Alembic's version table, orchestrate's ledger: not the revision's own
        kind = classify(statement, line, None, self.dialect).kind
        self.executed.append(ExecutedStatement(line, statement, kind == "ddl"))

    def _revision_line(self) -> int | None:
        """The line of the revision file on the call stack, if the revision is running it."""
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            mine = self._files.get(filename)
            if mine is None:
                mine = self._files[filename] = os.path.realpath(filename) == self.path
            if mine:
                return frame.f_lineno
            frame = frame.f_back
        return None
