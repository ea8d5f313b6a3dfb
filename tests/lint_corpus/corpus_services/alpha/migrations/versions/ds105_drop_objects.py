"""drops a type, a function and a sequence still in use

Revision ID: ds105_drop_objects
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'ds105_drop_objects'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP TYPE account_status")  # <- DS105
    op.execute("DROP FUNCTION IF EXISTS touch_updated_at() CASCADE")  # <- DS105
    op.execute("DROP SEQUENCE invoice_numbers")  # <- DS105
    sa.Enum(name="session_kind").drop(op.get_bind(), checkfirst=False)  # <- DS105


def downgrade() -> None:
    op.execute("CREATE SEQUENCE invoice_numbers")
