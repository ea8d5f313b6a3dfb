"""a helper and a loop splice values read from the environment

Revision ID: pf506_helper_values
Revises: alpha_base
"""
import os

from alembic import op
import sqlalchemy as sa

revision = 'pf506_helper_values'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None

DEFAULT_STATUS = os.environ.get("CORPUS_STATUS", "active")


def _set_status(table, status):
    op.execute(f"UPDATE {table} SET status = '{status}' WHERE id < 100")  # <- PF506


def upgrade() -> None:
    _set_status("accounts", DEFAULT_STATUS)
    for code in os.environ.get("CORPUS_CODES", "a,b").split(","):
        op.execute("UPDATE accounts SET legacy_code = NULL WHERE legacy_code = '%s'" % code)  # <- PF506


def downgrade() -> None:
    raise NotImplementedError("data fix")
