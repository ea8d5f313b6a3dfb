"""raw renames

Revision ID: 0041rawxrena
Revises:
Create Date: 2023-06-11 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0041rawxrena'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER INDEX ix_docs_title RENAME TO ix_documents_title")
    op.execute("ALTER TABLE documents RENAME COLUMN body TO content")


def downgrade():
    op.execute("ALTER TABLE documents RENAME COLUMN content TO body")
    op.execute("ALTER INDEX ix_documents_title RENAME TO ix_docs_title")
