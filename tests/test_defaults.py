"""Server-default spellings that mean the same thing compare equal; real changes do not."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from orchestrator.runtime.server_defaults import compare_server_default, normalize_default


@pytest.mark.parametrize("reflected, declared", [
    ("now()", "CURRENT_TIMESTAMP"),
    ("(CURRENT_TIMESTAMP)", "CURRENT_TIMESTAMP"),
    ("statement_timestamp()", "now()"),
    ("nextval('orders_id_seq'::regclass)", "nextval('orders_id_seq')"),
    ("'0'", "0"),
    ("0", "'0'::numeric"),
    ("1.50", "1.5"),
    ("'1.50'::numeric", "1.5"),
    ("true", "1"),
    ("'t'", "true"),
    ("false", "'f'"),
    ("'EUR'::character varying", "'EUR'"),
    ("('x'::text)", "'x'"),
    ("'2020-01-01 00:00:00+00'::timestamp with time zone", "'2020-01-01 00:00:00+00'"),
])
def test_equivalent_spellings_normalize_alike(reflected, declared):
    assert normalize_default(reflected) == normalize_default(declared)


@pytest.mark.parametrize("reflected, declared", [
    ("'EUR'", "'USD'"),
    ("0", "1"),
    ("true", "false"),
    ("now()", "'2020-01-01'"),
    ("nextval('a_seq'::regclass)", "nextval('b_seq')"),
])
def test_different_defaults_stay_different(reflected, declared):
    assert normalize_default(reflected) != normalize_default(declared)


def _column(default: object) -> sa.Column:
    return sa.Column("c", sa.String(8), server_default=default)


def test_a_plain_string_default_is_a_quoted_literal():
    """``server_default="draft"`` is the value 'draft', which the database spells quoted."""
    column = _column("draft")
    same = compare_server_default(None, None, column, "'draft'::character varying",
                                  column.server_default, "draft")
    changed = compare_server_default(None, None, column, "'pending'::character varying",
                                     column.server_default, "draft")
    quoted = compare_server_default(None, None, _column("it's"), "'it''s'",
                                    _column("it's").server_default, "it's")
    assert same is False and quoted is False
    assert changed is None  # left to Alembic's own comparison, which reports the change


def test_a_default_added_or_removed_is_a_change():
    column = _column(sa.text("now()"))
    assert compare_server_default(None, None, column, None, column.server_default, "now()")
    assert compare_server_default(None, None, _column(None), "now()", None, None)
