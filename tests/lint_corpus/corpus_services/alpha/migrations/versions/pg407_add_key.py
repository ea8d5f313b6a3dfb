"""unique and primary key constraints built on live tables

Revision ID: pg407_add_key
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pg407_add_key'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_unique_constraint("uq_sessions_account_token", "sessions", ["account_id", "token"])  # <- PG407, DD203
    op.execute("ALTER TABLE legacy_notes DROP CONSTRAINT pk_legacy_notes")  # <- PF502
    op.execute("ALTER TABLE legacy_notes ADD CONSTRAINT pk_legacy_notes PRIMARY KEY (id, body)")  # <- PG407, PF502


def downgrade() -> None:
    op.drop_constraint("uq_sessions_account_token", "sessions", type_="unique")
