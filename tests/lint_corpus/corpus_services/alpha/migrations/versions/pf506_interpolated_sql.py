"""values spliced into SQL text

Revision ID: pf506_interpolated_sql
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa
import os

revision = 'pf506_interpolated_sql'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None

TABLE = "accounts"
DEFAULT_NAME = os.environ.get("CORPUS_DEFAULT_NAME", "nobody")
RESET = "UPDATE accounts SET legacy_code = '{}'".format(DEFAULT_NAME)


def upgrade() -> None:
    op.execute(sa.text(f"UPDATE {TABLE} SET status = 'active' WHERE id < 10"))  # a constant
    connection = op.get_bind()
    connection.execute(sa.text("UPDATE accounts SET name = '%s'" % DEFAULT_NAME))  # <- PF506, DD204
    op.execute(RESET)  # <- PF506, DD204
    op.execute("UPDATE accounts SET notes = '" + DEFAULT_NAME + "'")  # <- PF506, DD204


def downgrade() -> None:
    raise NotImplementedError("the old values are gone")
