"""imports column types and an enum from the models package, by name and as modules

Revision ID: pf501_near_column_type
Revises: alpha_base
"""
# near-miss: PF501
from alembic import op
import sqlalchemy as sa
from corpus_services.alpha.models.types import AccountStatus, Money
import corpus_services.alpha.models.types
from corpus_services.alpha.models import types as column_types

revision = 'pf501_near_column_type'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("credit", Money(), nullable=True))
    op.add_column("accounts", sa.Column("debit", column_types.Money(), nullable=True))
    op.add_column("accounts", sa.Column(
        "limit", corpus_services.alpha.models.types.Money(), nullable=True))
    op.add_column("accounts", sa.Column(
        "state", sa.Enum(AccountStatus, name="account_state", native_enum=False), nullable=True))


def downgrade() -> None:
    op.drop_column("accounts", "limit")
    op.drop_column("accounts", "debit")
    op.drop_column("accounts", "state")
    op.drop_column("accounts", "credit")
