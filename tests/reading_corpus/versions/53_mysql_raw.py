"""mysql raw

Revision ID: 0053mysqlxra
Revises:
Create Date: 2023-09-13 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0053mysqlxra'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE `orders` MODIFY `note` TEXT NULL")
    op.execute("RENAME TABLE order_notes TO order_comments")


def downgrade():
    op.execute("RENAME TABLE order_comments TO order_notes")
