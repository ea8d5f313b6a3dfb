"""Column types alpha's models use; revisions may import these (they are not models)."""
import enum

import sqlalchemy as sa


class Money(sa.TypeDecorator):
    """An amount in cents, stored as NUMERIC(12, 2)."""

    impl = sa.Numeric(12, 2)
    cache_ok = True


class AccountStatus(enum.Enum):
    active = "active"
    closed = "closed"
