"""Server-default comparison that does not flag equivalent spellings as changes.

Databases hand back defaults in their own spelling: PostgreSQL reflects ``now()`` for
``CURRENT_TIMESTAMP`` and ``nextval('x'::regclass)`` for ``nextval('x')``, SQLite keeps quotes
around numbers, booleans come back as ``true``/``1``/``'t'``. Both sides are normalized before
they are compared; anything still different is left to Alembic's own comparison.
"""
from __future__ import annotations

import re
from typing import Any

_CASTS = re.compile(r"::[a-z_ ]+(?:\[\])*(?:\(\d+(?:,\s*\d+)?\))?", re.IGNORECASE)
_SYNONYMS = {
    "now()": "current_timestamp",
    "current_timestamp()": "current_timestamp",
    "localtimestamp": "current_timestamp",
    "statement_timestamp()": "current_timestamp",
    "transaction_timestamp()": "current_timestamp",
    "'now'": "current_timestamp",
    "true": "1",
    "false": "0",
    "'t'": "1",
    "'f'": "0",
    "'true'": "1",
    "'false'": "0",
}


def normalize_default(text: str | None) -> str | None:
    """A canonical spelling of a rendered server default, for comparison only."""
    if text is None:
        return None
    value = text.strip()
    while value.startswith("(") and value.endswith(")") and _balanced(value[1:-1]):
        value = value[1:-1].strip()
    value = _CASTS.sub("", value).strip()
    while value.startswith("(") and value.endswith(")") and _balanced(value[1:-1]):
        value = value[1:-1].strip()
    lowered = value.lower()
    if lowered in _SYNONYMS:
        return _SYNONYMS[lowered]
    if len(value) >= 2 and value[0] == value[-1] == "'":
        inner = value[1:-1]
        if re.fullmatch(r"-?\d+(\.\d+)?", inner):
            return _number(inner)
        return value
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        return _number(value)
    return re.sub(r"\s+", " ", lowered)


def _number(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if depth < 0:
            return False
    return depth == 0


def compare_server_default(
    context: Any,
    inspected_column: Any,
    metadata_column: Any,
    inspected_default: str | None,
    metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool | None:
    """Alembic's ``compare_server_default`` hook: False when equivalent, else Alembic decides.

    A model's ``server_default="new"`` (a plain string) is a literal value, rendered by Alembic
    without quotes; the database hands it back quoted (``'new'::character varying``). It is
    quoted here as SQL would be, so the two spellings meet.
    """
    if isinstance(getattr(metadata_default, "arg", None), str) and (
        rendered_metadata_default is not None
    ):
        rendered_metadata_default = "'" + rendered_metadata_default.replace("'", "''") + "'"
    if normalize_default(inspected_default) == normalize_default(rendered_metadata_default):
        return False
    if inspected_default is None or rendered_metadata_default is None:
        return True
    return None
