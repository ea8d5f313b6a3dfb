"""What every service of the example monorepo imports: one naming convention, shared types.

Every service builds its MetaData with :func:`make_metadata`, so constraint and index names
are predictable and identical in style across services (orchestrate checks that they are).
"""
from shared_db.naming import NAMING_CONVENTION, make_metadata
from shared_db.types import TenantId

__all__ = ["NAMING_CONVENTION", "TenantId", "make_metadata"]
