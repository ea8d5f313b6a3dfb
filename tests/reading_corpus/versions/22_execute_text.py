"""execute text

Revision ID: 0022executex
Revises:
Create Date: 2023-05-12 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0022executex'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("ALTER TABLE payments ADD CONSTRAINT ck_payments_amount CHECK (amount > 0) NOT VALID"))
    op.execute(sa.text("ALTER TABLE payments VALIDATE CONSTRAINT ck_payments_amount"))


def downgrade():
    op.drop_constraint("ck_payments_amount", "payments", type_="check")
