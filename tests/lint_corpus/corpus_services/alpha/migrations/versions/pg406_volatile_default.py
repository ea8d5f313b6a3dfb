"""a column whose default is computed for every existing row

Revision ID: pg406_volatile_default
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pg406_volatile_default'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(  # <- PG406
        "accounts",
        sa.Column("public_id", sa.String(length=36), server_default=sa.text("gen_random_uuid()")),
    )
    op.execute("ALTER TABLE sessions ADD COLUMN seq BIGSERIAL")  # <- PG406, PF502


def downgrade() -> None:
    op.drop_column("sessions", "seq")
    op.drop_column("accounts", "public_id")
