"""takes the whole models module to read a table from it

Revision ID: pf501_imports_module
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa
from corpus_services.alpha import models  # <- PF501

revision = 'pf501_imports_module'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.bulk_insert(models.accounts, [{"id": 2, "email": "ops@example.com"}])


def downgrade() -> None:
    op.execute(models.accounts.delete().where(models.accounts.c.id == 2))
