"""identifiers from constants, a batch size, loops over literal lists

Revision ID: pf506_near_constants
Revises: alpha_base
"""
# near-miss: PF506, PF502, DD204
import os

from alembic import op
import sqlalchemy as sa

revision = 'pf506_near_constants'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None

TABLES = ("accounts", "sessions")
GRANTED = {"accounts": "email", "sessions": "token"}
SCHEMA = "public"


def _grant_reporting(table, column):
    op.execute(f"GRANT SELECT ({column}) ON {SCHEMA}.{table} TO reporting")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"ANALYZE {table}")
    batch_size = 1000
    op.execute(sa.text(
        f"UPDATE accounts SET status = 'active' WHERE id IN "
        f"(SELECT id FROM accounts WHERE status IS NULL LIMIT {batch_size:d})"
    ))
    for table, column in GRANTED.items():
        _grant_reporting(table, column)
    op.execute("REINDEX TABLE %s" % TABLES[0])
    op.execute("VACUUM " + SCHEMA + ".sessions")


def downgrade() -> None:
    # downgrade() never runs in a release: its SQL text is not checked
    op.execute(f"UPDATE accounts SET status = '{os.environ.get('CORPUS_STATUS', 'active')}'")
