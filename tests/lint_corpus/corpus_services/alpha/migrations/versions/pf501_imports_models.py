"""uses the service's models inside a migration

Revision ID: pf501_imports_models
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa
from corpus_services.alpha.models import accounts  # <- PF501

revision = 'pf501_imports_models'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.bulk_insert(accounts, [{"id": 1, "email": "root@example.com"}])


def downgrade() -> None:
    op.execute(accounts.delete().where(accounts.c.id == 1))
