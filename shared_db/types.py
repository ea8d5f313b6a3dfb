"""Column types shared by every service."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa


class TenantId(sa.TypeDecorator):
    """A tenant's UUID stored as VARCHAR(36).

    ``__repr__`` is fixed so that autogenerate renders and compares it the same way on every
    run (an unstable repr makes every tenant column look changed).
    """

    impl = sa.String(36)
    cache_ok = True

    def __repr__(self) -> str:
        return "TenantId()"

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return str(uuid.UUID(str(value)))

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> str | None:
        return value
