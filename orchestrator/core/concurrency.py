"""Task groups whose failure is the failing task's own exception.

anyio reports a failed task group as an ``ExceptionGroup``; orchestrate's errors carry their
message and exit code, so the first one is re-raised as itself (a database that cannot be
reached stays a ``DatabaseError``, exit 3, not an internal error).
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from anyio.abc import TaskGroup


@asynccontextmanager
async def task_group() -> AsyncIterator[TaskGroup]:
    try:
        async with anyio.create_task_group() as group:
            yield group
    except BaseExceptionGroup as failure:
        raise _first(failure) from None


def _first(failure: BaseExceptionGroup) -> BaseException:
    error = failure.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error
