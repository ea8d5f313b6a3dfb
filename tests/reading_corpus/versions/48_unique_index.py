"""unique index

Revision ID: 0048uniquexi
Revises:
Create Date: 2023-04-18 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0048uniquexi'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("uq_emails_address_lower", "emails", [sa.text("lower(address)")], unique=True)


def downgrade():
    op.drop_index("uq_emails_address_lower", table_name="emails")
