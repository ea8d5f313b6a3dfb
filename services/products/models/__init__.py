"""The products service's MetaData.

Tables are defined in the submodules of this package (``categories``, ``products``). This
module deliberately does not import them: orchestrate's model loader imports every submodule
itself.
"""
from shared_db import make_metadata

metadata = make_metadata()

__all__ = ["metadata"]
